// kefu page helpers: pick a lookup hit into the new-ticket form, show the fields of the chosen
// ticket type, check all rows, and switch the bulk-action value control. No build step.
(function () {
  "use strict";
  function closest(el, sel) { return el && el.closest ? el.closest(sel) : null; }

  document.addEventListener("click", function (e) {
    var hit = closest(e.target, "[data-pick-kind]");
    if (hit) {
      var form = closest(hit, "form");
      var kind = hit.getAttribute("data-pick-kind");
      form.querySelector("[name=customer_id]").value = hit.getAttribute("data-pick-customer");
      if (kind === "contact") form.querySelector("[name=contact_id]").value = hit.getAttribute("data-pick-id");
      if (kind === "asset") form.querySelector("[name=asset_id]").value = hit.getAttribute("data-pick-id");
      var label = hit.getAttribute("data-pick-label");
      form.querySelector("[data-picked]").textContent = label;
      form.querySelector("[name=picked]").value = label;
      document.getElementById("lookup-results").innerHTML = "";
      return;
    }
    var all = closest(e.target, "[data-check-all]");
    if (all) {
      document.querySelectorAll("input[name=ids]").forEach(function (b) { b.checked = all.checked; });
    }
  });

  function showKindFields() {
    var sel = document.querySelector("[data-kind-select]");
    if (!sel) return;
    document.querySelectorAll("fieldset[data-kind]").forEach(function (fs) {
      var on = fs.getAttribute("data-kind") === sel.value;
      fs.hidden = !on;
      fs.disabled = !on; // disabled fieldsets are not submitted
    });
  }

  function showBulkValue() {
    var sel = document.querySelector("[data-bulk-action]");
    if (!sel) return;
    document.querySelectorAll("[data-bulk-for]").forEach(function (c) {
      var on = c.getAttribute("data-bulk-for") === sel.value;
      c.hidden = !on;
      c.disabled = !on;
    });
  }

  document.addEventListener("change", function (e) {
    var canned = closest(e.target, "[data-canned]");
    if (canned) {
      var opt = canned.options[canned.selectedIndex];
      var box = closest(canned, "form").querySelector("textarea[name=body]");
      if (opt && opt.getAttribute("data-body") !== null) {
        box.value = box.value ? box.value + "\n" + opt.getAttribute("data-body") : opt.getAttribute("data-body");
        box.focus();
      }
      canned.selectedIndex = 0;
      return;
    }
    if (closest(e.target, "[data-kind-select]")) showKindFields();
    if (closest(e.target, "[data-bulk-action]")) showBulkValue();
  });
  document.addEventListener("DOMContentLoaded", function () { showKindFields(); showBulkValue(); });

  // The timeline poll would wipe messages ticked for a split: skip it while any is ticked.
  // (A listener instead of an hx-trigger filter: the CSP allows no eval.)
  document.addEventListener("htmx:beforeRequest", function (e) {
    var el = e.detail && e.detail.elt;
    if (el && el.hasAttribute && el.hasAttribute("data-poll-timeline") &&
        document.querySelector("input[form=split-form]:checked")) {
      e.preventDefault();
    }
  });
})();
