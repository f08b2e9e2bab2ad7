/* Add to cart without leaving the page. Progressive enhancement: without this script a
   product card's form posts, and the server sends the reader back to the same page with
   "Added to your cart."; with it, the same post is sent in the background and the page it
   answers (that very page, with its flash and the new count) gives the words and the
   number to show here. */
(function () {
  "use strict";
  if (!window.fetch || !window.DOMParser) { return; }
  var forms = document.querySelectorAll("form[data-cart-add]");
  if (!forms.length) { return; }

  function flashes() {
    var box = document.querySelector(".flashes");
    if (!box) {
      box = document.createElement("div");
      box.className = "flashes";
      var main = document.getElementById("main");
      main.parentNode.insertBefore(box, main);
    }
    return box;
  }

  function showAnswer(html) {
    var answer = new DOMParser().parseFromString(html, "text/html");
    ["[data-cart-count]", "[data-cart-count-words]"].forEach(function (selector) {
      var fresh = answer.querySelector(selector);
      var here = document.querySelector(selector);
      if (fresh && here) { here.textContent = fresh.textContent; }
    });
    var box = flashes();
    while (box.firstChild) { box.removeChild(box.firstChild); }
    answer.querySelectorAll(".flash").forEach(function (flash) {
      var line = document.createElement("p");
      line.className = flash.className;
      line.setAttribute("role", "status");
      line.textContent = flash.textContent;  // text only: never parsed as HTML here
      box.appendChild(line);
    });
  }

  Array.prototype.forEach.call(forms, function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var button = form.querySelector("button");
      if (button) { button.disabled = true; }
      fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
        .then(function (response) { return response.text(); })
        .then(showAnswer)
        .catch(function () { form.submit(); })
        .then(function () { if (button) { button.disabled = false; } });
    });
  });
})();
