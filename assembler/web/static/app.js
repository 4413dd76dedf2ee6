// The new-agreement page without reloading: check the form as the user types and refresh the preview.
// Everything here also works without this script, through the form's own buttons.
(function () {
  "use strict";
  var form = document.getElementById("agreement-form");
  if (!form) { return; }
  var url = form.getAttribute("data-check");
  var preview = document.getElementById("preview");
  var noPreview = document.getElementById("no-preview");
  var submitted = form.querySelector("input[name=submitted]");
  var timer = null;
  var sequence = 0;

  function setMessage(id, finding) {
    var box = document.getElementById(id + "-error");
    var wrapper = form.querySelector("[data-field='" + id + "']");
    var control = document.getElementById(id);
    if (!box || !wrapper) { return; }
    wrapper.classList.remove("has-error", "has-warning");
    box.textContent = "";
    if (control) { control.removeAttribute("aria-invalid"); }
    wrapper.querySelectorAll("input[type=radio]").forEach(function (r) { r.removeAttribute("aria-invalid"); });
    if (!finding) { return; }
    wrapper.classList.add(finding.level === "error" ? "has-error" : "has-warning");
    var strong = document.createElement("strong");
    strong.textContent = (finding.level === "error" ? form.dataset.stop : form.dataset.warn) || "";
    box.appendChild(strong);
    box.appendChild(document.createTextNode(" " + finding.message));
    if (finding.level === "error") {
      if (control) { control.setAttribute("aria-invalid", "true"); }
      wrapper.querySelectorAll("input[type=radio]").forEach(function (r) { r.setAttribute("aria-invalid", "true"); });
    }
  }

  // The list at the top follows the answers too: what the last check found, or nothing.
  function summarize(data) {
    var box = document.getElementById("summary");
    // Before the first submit the messages stand beside their fields only: no list announced on every key.
    if (!box || submitted.value !== "1") { return; }
    var items = [];
    Object.keys(data.findings).forEach(function (id) {
      var f = data.findings[id];
      if (f.level === "error" && data.shown.indexOf(id) >= 0) { items.push({ level: "error", message: f.message, id: id }); }
    });
    data.guards.forEach(function (gd) { items.push({ level: gd.level, message: gd.message, guard: true }); });
    if (data.problem) { items.push({ level: "error", message: data.problem }); }
    var key = JSON.stringify(items);
    if (box.getAttribute("data-shown") === key) { return; }  // unchanged: no new announcement
    box.setAttribute("data-shown", key);
    box.textContent = "";
    box.hidden = items.length === 0;
    if (!items.length) { return; }
    var heading = document.createElement("h2");
    var stops = items.some(function (i) { return i.level === "error"; });
    heading.textContent = stops ? box.dataset.problems : box.dataset.warning;
    var list = document.createElement("ul");
    items.forEach(function (i) {
      var li = document.createElement("li");
      if (i.guard) {
        li.className = "guard-" + i.level;
        var strong = document.createElement("strong");
        strong.textContent = (i.level === "error" ? form.dataset.stop : form.dataset.warn) + " ";
        li.appendChild(strong);
      }
      if (i.id) {
        var link = document.createElement("a");
        link.href = "#" + i.id;
        link.textContent = i.message;
        li.appendChild(link);
      } else {
        li.appendChild(document.createTextNode(i.message));
      }
      list.appendChild(li);
    });
    box.appendChild(heading);
    box.appendChild(list);
  }

  function apply(data) {
    summarize(data);
    var shown = new Set(data.shown);
    var required = new Set(data.required);
    // The "(required)" marker follows the answers: a yes here can make a question there required.
    form.querySelectorAll("[data-field] > label .req, [data-field] > fieldset > legend .req").forEach(function (mark) {
      mark.hidden = !required.has(mark.closest("[data-field]").getAttribute("data-field"));
    });
    form.querySelectorAll("[data-field]").forEach(function (el) {
      var id = el.getAttribute("data-field");
      if (el.classList.contains("item")) { return; }
      var always = el.tagName === "FIELDSET" && !el.classList.contains("optional");
      el.hidden = !(shown.has(id) || always);
      if (!el.classList.contains("group") && !el.classList.contains("items")) { setMessage(id, data.findings[id]); }
    });
    Object.keys(data.groups).forEach(function (id) {
      var body = form.querySelector("[data-body='" + id + "']");
      if (body) { body.hidden = !data.groups[id]; }
    });
    if (data.preview) {
      preview.srcdoc = data.preview;
      preview.hidden = false;
      noPreview.hidden = true;
    } else if (submitted.value === "1") {
      preview.hidden = true;
      noPreview.hidden = false;
    }
  }

  function check() {
    var body = new FormData(form);
    var mine = sequence;
    fetch(url, { method: "POST", body: body, credentials: "same-origin",
                 headers: { "X-CSRF-Token": body.get("csrf_token") } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (data) {
        if (data && mine === sequence) {
          apply(data);
          form.setAttribute("data-state", "checked");  // the page shows the answers as they are now
        }
      })
      .catch(function () { /* the buttons still work without the live check */ });
  }

  function later(event) {
    sequence += 1;  // any answer to a request sent before this change is out of date
    form.setAttribute("data-state", "checking");
    if (timer) { clearTimeout(timer); }
    // A ticked group is checked at once (which of its questions apply); typing waits for a pause.
    var group = event && event.target && event.target.hasAttribute && event.target.hasAttribute("data-group");
    timer = setTimeout(check, group ? 0 : 350);
  }

  // An optional group opens at once when ticked; the next check decides which of its fields apply.
  form.querySelectorAll("input[data-group]").forEach(function (box) {
    box.addEventListener("change", function () {
      var body = form.querySelector("[data-body='" + box.getAttribute("data-group") + "']");
      if (!body) { return; }
      body.hidden = !box.checked;
      if (box.checked) { body.querySelectorAll("[data-field]").forEach(function (el) { el.hidden = false; }); }
    });
  });

  form.addEventListener("input", later);
  form.addEventListener("change", later);
})();
