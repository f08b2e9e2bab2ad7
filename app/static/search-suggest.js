/* Type-ahead for the product search box: completions from GET /api/v1/search/suggest
   fill the box's <datalist>, which the browser shows and reads out like any list of
   choices. Progressive enhancement: without this script the box is a plain text field
   and the form submits as before. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-suggest-url]");
  if (!form || !window.fetch) { return; }
  var input = form.querySelector("input[list]");
  var list = input && document.getElementById(input.getAttribute("list"));
  if (!list) { return; }
  var url = form.getAttribute("data-suggest-url");
  var timer = null;
  var pending = null;

  function show(completions) {
    while (list.firstChild) { list.removeChild(list.firstChild); }
    completions.forEach(function (completion) {
      var option = document.createElement("option");
      option.value = completion.label;  // textContent-safe: never parsed as HTML
      list.appendChild(option);
    });
  }

  function ask() {
    var typed = input.value.trim();
    if (typed.length < 2) { show([]); return; }
    if (pending) { pending.abort(); }
    pending = window.AbortController ? new AbortController() : null;
    fetch(url + "?q=" + encodeURIComponent(typed), {
      headers: { "Accept": "application/json" },
      credentials: "same-origin",
      signal: pending ? pending.signal : undefined
    })
      .then(function (response) { return response.ok ? response.json() : []; })
      .then(show)
      .catch(function () { /* a suggestion missed is no error for the shopper */ });
  }

  input.addEventListener("input", function () {
    clearTimeout(timer);
    timer = setTimeout(ask, 150);
  });
})();
