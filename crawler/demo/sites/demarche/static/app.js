/* Démarche en ligne « Aide à la mobilité » : application monopage de démonstration.
 * Le HTML servi est une coquille vide ; tout le contenu est construit ici, comme dans
 * les applications React/Vue des démarches en ligne. Un robot qui ne lit que le HTML
 * statique n'y trouve rien ; un navigateur (Playwright) voit la page complète.
 * Le menu est construit ici aussi : la route /contact (servie avec la même coquille, comme
 * le fait le serveur d'une application monopage) n'est liée que depuis le DOM rendu. */
(function () {
  "use strict";

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (name === "text") { node.textContent = attrs[name]; } else { node.setAttribute(name, attrs[name]); }
    });
    (children || []).forEach(function (child) {
      node.appendChild(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  }

  var header = el("header", { "class": "entete" }, [
    el("div", { "class": "conteneur entete__corps" }, [
      el("p", { "class": "marque" }, ["République", el("br"), "Française"]),
      el("p", { "class": "service" }, [el("strong", { text: "Démarches en ligne de l'Exemple" })]),
      el("nav", { "aria-label": "Menu principal" }, [
        el("ul", { "class": "menu" }, [
          el("li", {}, [el("a", { href: "/", text: "La démarche" })]),
          el("li", {}, [el("a", { href: "/contact", text: "Nous contacter" })])
        ])
      ])
    ])
  ]);

  var etapes = el("ol", { "class": "etapes" }, [
    el("li", { text: "Identifiez-vous avec FranceConnect." }),
    el("li", { text: "Renseignez votre situation (emploi, formation, trajet)." }),
    el("li", { text: "Joignez un justificatif de domicile et, le cas échéant, votre contrat de travail." }),
    el("li", { text: "Suivez l'avancement de votre dossier depuis votre espace." })
  ]);

  var franceConnect = el("div", { "class": "fr-connect-group" }, [
    el("button", { "class": "fr-connect", "type": "button" }, [
      el("span", { "class": "fr-connect__login", text: "S'identifier avec" }), " ",
      el("span", { "class": "fr-connect__brand", text: "FranceConnect" })
    ]),
    el("p", {}, [el("a", { href: "https://franceconnect.gouv.fr/", target: "_blank", rel: "noopener", title: "Qu'est-ce que FranceConnect ? - nouvelle fenêtre", text: "Qu'est-ce que FranceConnect ?" })])
  ]);

  var aide = el("aside", { "class": "aide" }, [
    el("h2", { text: "Besoin d'aide ?" }),
    el("p", {}, ["Consultez la ", el("a", { href: "/faq", text: "FAQ de la démarche" }), "."]),
    el("p", {}, ["Appelez-nous au ", el("a", { href: "tel:+33199004000", text: "01 99 00 40 00" }),
      ", du lundi au vendredi de 9h à 18h."])
  ]);

  var contact = el("main", { id: "contenu", "class": "conteneur" }, [
    el("h1", { text: "Nous contacter" }),
    el("p", { text: "Pour toute question sur votre dossier d'aide à la mobilité, écrivez-nous :" }),
    el("address", {}, [
      "Démarches en ligne de l'Exemple", el("br"),
      "Service aide à la mobilité", el("br"),
      "14 rue des Fabriques", el("br"),
      "69003 Lyon"
    ])
  ]);

  var home = el("main", { id: "contenu", "class": "conteneur" }, [
    el("h1", { text: "Demander l'aide à la mobilité" }),
    el("p", { "class": "chapo", text: "Une aide de 200 à 500 euros pour financer vos trajets vers un emploi ou une formation, si vous habitez dans l'Exemple." }),
    etapes, franceConnect, aide
  ]);

  var footer = el("footer", { "class": "pied" }, [
    el("div", { "class": "conteneur" }, [
      el("a", { href: "https://jedonnemonavis.numerique.gouv.fr/Demarches/3456?button=3457", target: "_blank", rel: "noopener", title: "Je donne mon avis - nouvelle fenêtre" }, [
        el("img", { src: "https://jedonnemonavis.numerique.gouv.fr/static/bouton-bleu.svg", alt: "Je donne mon avis" })
      ]),
      el("ul", { "class": "pied__liens" }, [
        el("li", {}, [el("a", { href: "/accessibilite", text: "Accessibilité : partiellement conforme" })]),
        el("li", {}, [el("a", { href: "/mentions-legales", text: "Mentions légales" })]),
        el("li", {}, [el("a", { href: "/donnees-personnelles", text: "Données personnelles" })])
      ])
    ])
  ]);

  var root = document.getElementById("root");
  var main = window.location.pathname.replace(/\/$/, "") === "/contact" ? contact : home;
  [header, main, footer].forEach(function (part) { root.appendChild(part); });
}());
