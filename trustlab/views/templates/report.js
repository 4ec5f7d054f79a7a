// The click-through panel: a mark's entry (the Windows message in English and Japanese, the raw output), read
// from the run's JSON; the guide's language switch; a run opened when a link points into it.
(function () {
  "use strict";
  const data = {};
  function entries(key) {
    if (!(key in data)) {
      const node = document.querySelector('script.entries[data-run="' + key + '"]');
      data[key] = node ? JSON.parse(node.textContent) : [];
    }
    return data[key];
  }
  function row(dl, name, value) {
    if (value === undefined || value === null || value === "") return;
    const dt = document.createElement("dt"); dt.textContent = name;
    const dd = document.createElement("dd");
    if (Array.isArray(value)) { const pre = document.createElement("pre"); pre.textContent = value.join("\n"); dd.appendChild(pre); }
    else if (typeof value === "object") { const pre = document.createElement("pre"); pre.textContent = JSON.stringify(value, null, 2); dd.appendChild(pre); }
    else dd.textContent = String(value);
    dl.appendChild(dt); dl.appendChild(dd);
  }
  function iso(epoch) { return epoch === undefined ? undefined : new Date(epoch * 1000).toISOString().replace("T", " ").replace(/\.\d+Z$/, " UTC"); }
  function show(mark) {
    const e = entries(mark.closest("svg").dataset.entries)[Number(mark.dataset.entry)];
    const holder = mark.closest("figure, details, article");
    const panel = holder && holder.querySelector(".detail");
    if (!e || !panel) return;
    holder.querySelectorAll(".mark.selected").forEach(function (m) { m.classList.remove("selected"); });
    mark.classList.add("selected");
    panel.textContent = "";
    const h = document.createElement("h4");
    h.textContent = e.phase === "background" ? e.clock + "  " + e.computer + ": " + e.event
      : e.clock + "  " + e.phase + (e.index !== undefined ? "[" + e.index + "] " : " ") + e.step;
    panel.appendChild(h);
    const dl = document.createElement("dl");
    row(dl, "lab time", e.clock);
    row(dl, "real time", iso(e.wall));
    row(dl, "on", e.args ? e.args.computer : e.computer);
    row(dl, "status", e.status);
    row(dl, "outcome", e.outcome);
    row(dl, "Win32", e.win32);
    row(dl, "NTSTATUS", e.ntstatus);
    if (e.message) { row(dl, "message (en)", e.message.en); row(dl, "message (ja)", e.message.ja); }
    if (e.expect) row(dl, "expected", e.expect.outcome + (e.matched === false ? " — not met" : e.matched ? " — met" : ""));
    row(dl, "passed", e.passed);
    row(dl, "raw", e.raw);
    row(dl, "the DC's answer", e.dc_said);
    row(dl, "output", e.output);
    row(dl, "details", e.details);
    panel.appendChild(dl);
  }
  document.addEventListener("click", function (ev) {
    const mark = ev.target.closest && ev.target.closest(".mark[data-entry]");
    if (mark) show(mark);
    const button = ev.target.closest && ev.target.closest("button[data-lang]");
    if (button) {
      document.querySelectorAll(".lang").forEach(function (d) { d.hidden = !d.classList.contains("lang-" + button.dataset.lang); });
      document.querySelectorAll("button[data-lang]").forEach(function (b) { b.classList.toggle("on", b === button); });
    }
  });
  document.addEventListener("mouseover", function (ev) {
    const mark = ev.target.closest && ev.target.closest(".mark[data-entry]");
    if (mark) show(mark);
  });
  document.addEventListener("keydown", function (ev) {
    if (ev.key === "Enter" && ev.target.classList && ev.target.classList.contains("mark")) show(ev.target);
  });
  function reveal() {
    if (!location.hash) return;
    const target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    const run = target && target.closest("details");
    if (run) { run.open = true; target.scrollIntoView(); if (target.classList.contains("mark")) show(target); }
  }
  window.addEventListener("hashchange", reveal);
  reveal();
})();
