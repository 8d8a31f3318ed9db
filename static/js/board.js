// The pipeline board: drag cards between columns (SortableJS) and let the server decide (HTMX).
// The server answers every move with the card as it now stands; its data-stage says which column it
// belongs in, so a refused move or a cancelled gate form puts the card back by itself.
(function () {
  "use strict";
  var board = document.getElementById("board");
  if (!board || !window.htmx) {
    return;
  }
  var status = document.getElementById("board-status");
  var keyboardMove = false;

  function listFor(stage) {
    return board.querySelector('.board-list[data-stage="' + stage + '"]');
  }

  function expand(column) {
    if (!column || !column.classList.contains("collapsed")) {
      return;
    }
    column.classList.remove("collapsed");
    load(column);
    var toggle = column.querySelector(".board-toggle");
    if (toggle) {
      toggle.setAttribute("aria-expanded", "true");
      toggle.textContent = toggle.getAttribute("data-hide");
    }
  }

  // A side column fetches its first cards the first time it opens.
  function load(column) {
    var lazy = column.querySelector(".board-lazy");
    if (lazy) {
      htmx.trigger(lazy, "board:expand");
    }
  }

  // Put a card into the column its data-stage names, at the top; a card loaded twice keeps one copy.
  function place(card) {
    Array.prototype.forEach.call(board.querySelectorAll('[id="' + card.id + '"]'), function (other) {
      if (other !== card) {
        other.parentNode.removeChild(other);
      }
    });
    var list = listFor(card.getAttribute("data-stage"));
    if (list && card.parentNode !== list) {
      list.insertBefore(card, list.firstChild);
    }
    if (card.classList.contains("gate")) {
      expand(card.closest(".board-column"));
      var first = card.querySelector(".gate-form input:not([type=hidden]), .gate-form select, .gate-form textarea");
      if (first) {
        first.focus();
      }
    } else if (keyboardMove) {
      var menu = card.querySelector(".stage-menu select");
      (menu || card).focus();
    }
    keyboardMove = false;
  }

  htmx.onLoad(function (element) {
    if (element.classList && element.classList.contains("board-card")) {
      place(element);
    }
  });

  // Refusals (403), bad input (400, 422) and conflicts (409) carry a card to show: swap them in.
  document.body.addEventListener("htmx:beforeSwap", function (event) {
    var code = event.detail.xhr.status;
    if ([400, 403, 409, 422].indexOf(code) >= 0 && board.contains(event.detail.target)) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  // A failed request (server error, network down): fetch the card as it stands, which puts it back.
  function restore(event) {
    var card = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest(".board-card");
    if (card && card.getAttribute("data-card-url")) {
      htmx.ajax("GET", card.getAttribute("data-card-url"), {target: card, swap: "outerHTML"});
    }
  }
  document.body.addEventListener("htmx:responseError", restore);
  document.body.addEventListener("htmx:sendError", restore);

  document.body.addEventListener("board:status", function (event) {
    if (status && event.detail && event.detail.message) {
      status.textContent = event.detail.message;
    }
  });

  board.addEventListener("submit", function (event) {
    if (event.target.classList.contains("stage-menu")) {
      keyboardMove = true;
    }
  }, true);

  board.addEventListener("click", function (event) {
    var toggle = event.target.closest(".board-toggle");
    if (!toggle) {
      return;
    }
    var column = toggle.closest(".board-column");
    var collapsed = column.classList.toggle("collapsed");
    if (!collapsed) {
      load(column);
    }
    toggle.setAttribute("aria-expanded", collapsed ? "false" : "true");
    toggle.textContent = toggle.getAttribute(collapsed ? "data-show" : "data-hide");
  });

  if (!window.Sortable) {
    return;
  }
  Array.prototype.forEach.call(board.querySelectorAll(".board-list"), function (list) {
    window.Sortable.create(list, {
      group: "board",
      sort: false,
      draggable: ".board-card:not(.locked):not(.gate)",
      filter: "select, button, input, textarea, label",
      preventOnFilter: false,
      animation: 120,
      ghostClass: "board-ghost",
      chosenClass: "board-chosen",
      onEnd: function (event) {
        if (event.from === event.to) {
          return;
        }
        var card = event.item;
        expand(event.to.closest(".board-column"));
        card.classList.add("moving");
        htmx.ajax("POST", card.getAttribute("data-move-url"), {
          source: card,
          target: card,
          swap: "outerHTML",
          values: {stage: event.to.getAttribute("data-stage")}
        });
      }
    });
  });
})();
