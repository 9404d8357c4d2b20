/*
 * Vigie reports: sortable and filterable tables (progressive enhancement).
 *
 * Without this script the tables are complete and readable; with it, column headers
 * become sort buttons (aria-sort tells the order) and the filter form, hidden in the
 * HTML, is shown. No inline script anywhere: the pages' Content-Security-Policy allows
 * only this file.
 */
(function () {
  'use strict';

  var collator = new Intl.Collator('fr', { numeric: true, sensitivity: 'base' });

  function sortKey(row, index) {
    var cell = row.cells[index];
    if (!cell) { return ''; }
    var key = cell.getAttribute('data-sort');
    return key !== null ? key : cell.textContent.trim();
  }

  function compareKeys(a, b) {
    var na = parseFloat(a);
    var nb = parseFloat(b);
    var aNum = a !== '' && !isNaN(na) && isFinite(a);
    var bNum = b !== '' && !isNaN(nb) && isFinite(b);
    if (aNum && bNum) { return na - nb; }
    if (aNum !== bNum) { return aNum ? -1 : 1; } // numbers before empty cells
    return collator.compare(a, b);
  }

  function sortTable(table, index, header) {
    var ascending = header.getAttribute('aria-sort') !== 'ascending';
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (r1, r2) {
      var result = compareKeys(sortKey(r1, index), sortKey(r2, index));
      return ascending ? result : -result;
    });
    rows.forEach(function (row) { body.appendChild(row); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
      th.removeAttribute('aria-sort');
    });
    header.setAttribute('aria-sort', ascending ? 'ascending' : 'descending');
    var status = document.getElementById(table.getAttribute('data-vigie-status'));
    if (status) {
      status.textContent = 'Tableau trié par « ' + header.textContent.trim() + ' », ordre ' +
        (ascending ? 'croissant' : 'décroissant') + '.';
    }
  }

  function makeSortable(table) {
    var head = table.tHead && table.tHead.rows[0];
    if (!head || !table.tBodies[0]) { return; }
    Array.prototype.forEach.call(head.cells, function (th, index) {
      if (th.getAttribute('data-sortable') === 'false') { return; }
      var button = document.createElement('button');
      button.type = 'button';
      button.className = 'vigie-sort';
      while (th.firstChild) { button.appendChild(th.firstChild); }
      th.appendChild(button);
      button.addEventListener('click', function () { sortTable(table, index, th); });
    });
    table.classList.add('vigie-sortable--on');
  }

  function applyFilters(form, table) {
    var query = (form.elements.q ? form.elements.q.value : '').trim().toLowerCase();
    var type = form.elements.type ? form.elements.type.value : '';
    var status = form.elements.status ? form.elements.status.value : '';
    var missing = form.elements.missing ? form.elements.missing.value : '';
    var shown = 0;
    var rows = table.tBodies[0].rows;
    Array.prototype.forEach.call(rows, function (row) {
      var ok = (!query || (row.getAttribute('data-search') || '').indexOf(query) !== -1) &&
        (!type || row.getAttribute('data-type') === type) &&
        (!status || row.getAttribute('data-status') === status) &&
        (!missing || (' ' + (row.getAttribute('data-missing') || '') + ' ')
          .indexOf(' ' + missing + ' ') !== -1);
      row.hidden = !ok;
      if (ok) { shown += 1; }
    });
    var count = document.getElementById(form.getAttribute('data-vigie-count'));
    if (count) {
      count.textContent = shown + (shown > 1 ? ' sites affichés' : ' site affiché') +
        ' sur ' + rows.length + '.';
    }
  }

  function makeFilterable(form) {
    var table = document.getElementById(form.getAttribute('data-vigie-filter'));
    if (!table || !table.tBodies[0]) { return; }
    form.hidden = false;
    var update = function () { applyFilters(form, table); };
    form.addEventListener('input', update);
    form.addEventListener('change', update);
    form.addEventListener('submit', function (event) { event.preventDefault(); update(); });
    form.addEventListener('reset', function () { window.setTimeout(update, 0); });
  }

  function openDetailsForPrint() {
    window.addEventListener('beforeprint', function () {
      Array.prototype.forEach.call(document.querySelectorAll('details'), function (d) {
        d.setAttribute('open', '');
      });
    });
  }

  function init() {
    Array.prototype.forEach.call(document.querySelectorAll('table[data-vigie-sortable]'),
      makeSortable);
    Array.prototype.forEach.call(document.querySelectorAll('form[data-vigie-filter]'),
      makeFilterable);
    openDetailsForPrint();
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
}());
