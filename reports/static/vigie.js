/*
 * Vigie reports: sortable tables, and an overview that filters and regroups itself
 * (progressive enhancement).
 *
 * Without this script every table, figure and list is complete and readable; with it,
 * column headers become sort buttons (aria-sort tells the order), and the filter form,
 * hidden in the HTML, is shown: its filters (a site's name, its type, any column of the
 * seed list, its state, a missing element) update together the key figures, the coverage
 * by group, the "since the previous run" lists, the trend by group, the share of sites
 * per check and the findings table. The view is kept in the page's address (query
 * string), so a filtered view can be bookmarked and shared. No inline script anywhere:
 * the pages' Content-Security-Policy allows only this file.
 *
 * Figures are computed as reports/summary.py and reports/data.py compute them: a site's
 * coverage is found / counted elements (rounded to three decimals, as the findings table
 * keeps it), a mean is over the explored sites whose coverage is known, percentages are
 * rounded half to even as Python's round().
 */
(function () {
  'use strict';

  var collator = new Intl.Collator('fr', { numeric: true, sensitivity: 'base' });
  var each = function (list, fn) { Array.prototype.forEach.call(list, fn); };

  // -- sorting ------------------------------------------------------------------------------

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
    each(table.tHead.rows[0].cells, function (th) { th.removeAttribute('aria-sort'); });
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
    each(head.cells, function (th, index) {
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

  // -- numbers as the Python side writes them -----------------------------------------------

  function roundHalfEven(x) {
    var r = Math.round(x);
    if (Math.abs(x % 1) === 0.5) { r = 2 * Math.round(x / 2); }
    return r;
  }

  function percent(value) {
    return value === null ? '—' : roundHalfEven(value * 100) + ' %';
  }

  function sites(n) { return n + ' site' + (n > 1 ? 's' : ''); }

  function setText(root, selector, text) {
    each(root.querySelectorAll(selector), function (el) { el.textContent = text; });
  }

  function setBar(cell, value) {
    var rect = cell.querySelector('[data-bar]');
    if (rect) {
      var share = value === null ? 0 : Math.max(0, Math.min(1, value));
      rect.setAttribute('width', (share * 100).toFixed(1));
    }
  }

  // -- the rows of the findings table, read once --------------------------------------------

  function coverageOf(row, n) {
    var cell = row.querySelector('td[data-figure="engagement_' + n + '"]');
    if (!cell || cell.getAttribute('data-counted') === null) { return null; }
    var counted = parseInt(cell.getAttribute('data-counted'), 10);
    if (!counted) { return null; }
    var found = parseInt(cell.getAttribute('data-found'), 10);
    return Math.round(found / counted * 1000) / 1000; // the table's three decimals
  }

  var STATUS_CODES = { f: 'found', a: 'absent', e: 'error', n: 'not_applicable' };

  function readRows(table) {
    var order = (table.getAttribute('data-check-order') || '').split(' ');
    return Array.prototype.map.call(table.tBodies[0].rows, function (row) {
      var checks = {};
      var codes = row.getAttribute('data-checks') || '';
      order.forEach(function (check, i) { checks[check] = STATUS_CODES[codes.charAt(i)]; });
      return {
        row: row,
        site: row.getAttribute('data-site'),
        status: row.getAttribute('data-status'),
        search: row.getAttribute('data-search') || '',
        missing: ' ' + (row.getAttribute('data-missing') || '') + ' ',
        dims: row.dataset,
        e2: coverageOf(row, 2),
        e3: coverageOf(row, 3),
        checks: checks
      };
    });
  }

  function dimValue(site, dim) {
    // data-type, or data-dim-N ("-" when the seed list left it empty)
    return dim === 'type' ? site.dims.type : site.row.getAttribute('data-' + dim);
  }

  // -- figures of a set of sites -------------------------------------------------------------

  function figures(list) {
    var out = { sites: list.length, explored: 0 };
    [2, 3].forEach(function (n) {
      var sum = 0; var count = 0; var full = 0;
      list.forEach(function (s) {
        var v = s['e' + n];
        if (s.status !== 'ok' || v === null) { return; }
        sum += v; count += 1;
        if (v >= 0.999) { full += 1; }
      });
      out['e' + n] = count ? sum / count : null;
      out['e' + n + '_n'] = count;
      out['e' + n + '_full'] = full;
    });
    list.forEach(function (s) { if (s.status === 'ok') { out.explored += 1; } });
    return out;
  }

  function updateKeyFigures(list) {
    var f = figures(list);
    var root = document.querySelector('.vigie-figures');
    if (!root) { return; }
    setText(root, '[data-key="sites"]', String(f.sites));
    setText(root, '[data-key="explored"]', String(f.explored));
    setText(root, '[data-key="errors"]', String(f.sites - f.explored));
    [2, 3].forEach(function (n) {
      setText(root, '[data-key="e' + n + '"]', percent(f['e' + n]));
      setText(root, '[data-key="e' + n + '_n"]', sites(f['e' + n + '_n']));
      setText(root, '[data-key="e' + n + '_full"]', String(f['e' + n + '_full']));
    });
  }

  function updateGroups(shown, group) {
    each(document.querySelectorAll('[data-group-table]'), function (box) {
      box.hidden = box.getAttribute('data-group-table') !== group;
    });
    var table = document.getElementById('groupes-' + group);
    if (!table) { return; }
    var byGroup = {};
    shown.forEach(function (s) {
      var key = dimValue(s, group) || '';
      (byGroup[key] = byGroup[key] || []).push(s);
    });
    each(table.tBodies[0].rows, function (row) {
      var list = byGroup[row.getAttribute('data-group')] || [];
      row.hidden = list.length === 0;
      var f = figures(list);
      [2, 3].forEach(function (n) {
        var cell = row.querySelector('td[data-cell="e' + n + '"]');
        setBar(cell, f['e' + n]);
        setText(cell, '[data-value]', percent(f['e' + n]));
        setText(cell, '[data-count]', sites(f['e' + n + '_n']) + ' sur ' + f.sites);
      });
      setText(row, '[data-full="2"]', String(f.e2_full));
      setText(row, '[data-full="3"]', String(f.e3_full));
      setText(row, '[data-explored]', String(f.explored));
    });
  }

  function updateTrendGroups(filters, group) {
    var table = document.getElementById('evolution-' + group);
    if (!table) { return; }
    var wanted = filters.dims[group];
    each(table.tBodies[0].rows, function (row) {
      row.hidden = Boolean(wanted) && row.getAttribute('data-group') !== wanted;
    });
  }

  function updateChanges(visible) {
    each(document.querySelectorAll('.vigie-change'), function (block) {
      var total = 0;
      each(block.querySelectorAll('ul[data-change]'), function (list) {
        var n = 0;
        each(list.querySelectorAll('li[data-site]'), function (li) {
          li.hidden = !visible[li.getAttribute('data-site')];
          if (!li.hidden) { n += 1; }
        });
        var head = list.previousElementSibling;
        if (head) {
          setText(head, '[data-count]', String(n));
          head.hidden = n === 0;
        }
        list.hidden = n === 0;
        total += n;
      });
      block.hidden = total === 0;
    });
  }

  function updateShares(shown) {
    var table = document.getElementById('tableau-verifications');
    if (!table) { return; }
    each(table.tBodies[0].rows, function (row) {
      var check = row.getAttribute('data-check');
      var counts = { found: 0, absent: 0, error: 0, not_applicable: 0 };
      shown.forEach(function (s) {
        var status = s.checks[check] || 'error';
        if (counts[status] !== undefined) { counts[status] += 1; }
      });
      Object.keys(counts).forEach(function (k) {
        setText(row, 'td[data-cell="' + k + '"]', String(counts[k]));
      });
      var measured = counts.found + counts.absent;
      var share = measured ? counts.found / measured : null;
      var cell = row.querySelector('td[data-cell="share"]');
      if (!cell) { return; }
      cell.setAttribute('data-sort', share === null ? '' : String(share));
      setBar(cell, share);
      setText(cell, '[data-value]', percent(share));
      setText(cell, '[data-count]', counts.found + ' sur ' + measured);
    });
  }

  // -- the filter form, and the view in the address -----------------------------------------

  function readForm(form) {
    var filters = { dims: {}, group: 'type' };
    filters.q = (form.elements.q ? form.elements.q.value : '').trim().toLowerCase();
    filters.status = form.elements.status ? form.elements.status.value : '';
    filters.missing = form.elements.missing ? form.elements.missing.value : '';
    filters.group = form.elements.group ? form.elements.group.value : 'type';
    each(form.querySelectorAll('select[data-dim]'), function (select) {
      if (select.value) { filters.dims[select.getAttribute('data-dim')] = select.value; }
    });
    return filters;
  }

  function matches(site, filters) {
    if (filters.q && site.search.indexOf(filters.q) === -1) { return false; }
    if (filters.status && site.status !== filters.status) { return false; }
    if (filters.missing && site.missing.indexOf(' ' + filters.missing + ' ') === -1) {
      return false;
    }
    return Object.keys(filters.dims).every(function (dim) {
      return dimValue(site, dim) === filters.dims[dim];
    });
  }

  function writeAddress(form) {
    var params = [];
    each(form.querySelectorAll('[data-url]'), function (field) {
      var value = field.value.trim();
      var isDefault = field.name === 'group' ? value === 'type' : value === '';
      if (!isDefault) {
        params.push(encodeURIComponent(field.getAttribute('data-url')) + '=' +
          encodeURIComponent(value));
      }
    });
    var query = params.length ? '?' + params.join('&') : '';
    if (query === window.location.search) { return; }
    var address = window.location.pathname + query + window.location.hash;
    try {
      window.history.replaceState(null, '', address);
    } catch (error) { // a browser that refuses it for files: the view still works
      return;
    }
  }

  function readAddress(form) {
    var query = window.location.search.replace(/^\?/, '');
    if (!query) { return; }
    var values = {};
    query.split('&').forEach(function (pair) {
      var parts = pair.split('=');
      try {
        values[decodeURIComponent(parts[0])] =
          decodeURIComponent((parts[1] || '').replace(/\+/g, ' '));
      } catch (error) { // a mistyped address: that parameter is ignored
        return;
      }
    });
    each(form.querySelectorAll('[data-url]'), function (field) {
      var value = values[field.getAttribute('data-url')];
      if (value === undefined) { return; }
      if (field.tagName === 'SELECT') {
        var known = Array.prototype.some.call(field.options, function (o) {
          return o.value === value;
        });
        if (!known) { return; }
      }
      field.value = value;
    });
  }

  function makeFilterable(form) {
    var table = document.getElementById(form.getAttribute('data-vigie-filter'));
    if (!table || !table.tBodies[0]) { return; }
    var all = readRows(table);
    var count = document.getElementById(form.getAttribute('data-vigie-count'));
    form.hidden = false;

    function apply(remember) {
      var filters = readForm(form);
      var shown = [];
      var visible = {};
      all.forEach(function (site) {
        var ok = matches(site, filters);
        site.row.hidden = !ok;
        if (ok) { shown.push(site); visible[site.site] = true; }
      });
      if (count) {
        count.textContent = shown.length + (shown.length > 1 ? ' sites affichés' : ' site affiché') +
          ' sur ' + all.length + '.';
      }
      updateKeyFigures(shown);
      updateGroups(shown, filters.group);
      updateTrendGroups(filters, filters.group);
      updateChanges(visible);
      updateShares(shown);
      if (remember) { writeAddress(form); }
    }

    readAddress(form);
    apply(false);
    var update = function () { apply(true); };
    form.addEventListener('input', update);
    form.addEventListener('change', update);
    form.addEventListener('submit', function (event) { event.preventDefault(); update(); });
    form.addEventListener('reset', function () { window.setTimeout(update, 0); });
  }

  function openDetailsForPrint() {
    window.addEventListener('beforeprint', function () {
      each(document.querySelectorAll('details'), function (d) { d.setAttribute('open', ''); });
    });
  }

  function init() {
    each(document.querySelectorAll('table[data-vigie-sortable]'), makeSortable);
    each(document.querySelectorAll('form[data-vigie-filter]'), makeFilterable);
    openDetailsForPrint();
  }

  if (document.readyState === 'loading') {
    document.addEventListener('DOMContentLoaded', init);
  } else {
    init();
  }
}());
