/* The checkout page's total, kept up to date: when a delivery or the payment changes, the
   server computes the total again (POST /api/v1/checkout/quote, the function the page
   itself uses) and the rows of the total are rewritten. The address is shown only when a
   part is delivered home; picking every part up at a stand selects pay at the stand.
   Progressive enhancement: without this script, "Recalculate" posts the page back.
   Errors: the summary at the top of the page takes the focus. */
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) { summary.focus(); }
  var form = document.getElementById("checkout-form");
  if (!form || !window.fetch) { return; }
  var url = form.getAttribute("data-quote-url");
  var csrf = form.getAttribute("data-csrf");
  var totalBox = document.getElementById("checkout-total");
  var address = document.getElementById("address-fields");
  var language = (document.documentElement.lang || "fr").slice(0, 2);
  var currency = totalBox.getAttribute("data-currency") || "";
  var number = new Intl.NumberFormat(language + "-MA", {
    minimumFractionDigits: 2, maximumFractionDigits: 2, numberingSystem: "latn"
  });
  var pending = null;

  function money(amount) { return number.format(amount.amount / 100) + " " + currency; }

  function choices() {
    var delivery = {};
    var payment = null;
    Array.prototype.forEach.call(form.querySelectorAll("input[type=radio]:checked"), function (input) {
      if (input.name.indexOf("delivery_") === 0) {
        delivery[input.name.slice("delivery_".length)] = input.value;
      } else if (input.name === "payment_method") {
        payment = input.value;
      }
    });
    return { delivery: delivery, payment_method: payment };
  }

  function fitPayment(body) {
    var methods = Object.keys(body.delivery).map(function (key) { return body.delivery[key]; });
    var atStands = methods.length > 0 && methods.every(function (m) { return m === "stand_pickup"; });
    var stand = form.querySelector("input[name=payment_method][value=pay_at_stand]");
    var cash = form.querySelector("input[name=payment_method][value=cash_on_delivery]");
    if (atStands && stand && body.payment_method === "cash_on_delivery") { stand.checked = true; }
    if (!atStands && stand && stand.checked && cash) { cash.checked = true; }
    if (address) { address.hidden = methods.indexOf("home_delivery") === -1; }
    return choices();
  }

  function setRow(name, text) {
    var cell = totalBox.querySelector("[data-total=" + name + "]");
    if (cell) { cell.textContent = text; }
  }

  function recalculate() {
    var body = fitPayment(choices());
    if (pending) { pending.abort(); }
    pending = window.AbortController ? new AbortController() : null;
    fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body),
      signal: pending ? pending.signal : undefined
    }).then(function (response) {
      return response.ok ? response.json() : null;
    }).then(function (quote) {
      if (!quote) { return; }
      var shipping = 0;
      var subtotal = 0;
      quote.parts.forEach(function (part) {
        shipping += part.shipping.amount;
        subtotal += part.subtotal.amount;
        var cell = totalBox.querySelector("[data-part='" + part.cooperative.id + "']");
        if (cell) { cell.textContent = money({ amount: part.subtotal.amount + part.shipping.amount }); }
      });
      setRow("subtotal", money({ amount: subtotal }));
      setRow("shipping", money({ amount: shipping }));
      setRow("total", money(quote.total));
    }).catch(function () { /* the Recalculate button still works */ });
  }

  form.addEventListener("change", function (event) {
    var name = event.target && event.target.name;
    if (name && (name === "payment_method" || name.indexOf("delivery_") === 0)) { recalculate(); }
  });
})();
