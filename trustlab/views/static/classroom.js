// The classroom's pages. A seat: the console in xterm.js, with the line edited here (echo, stars for a hidden
// answer, backspace, history) and sent whole to the seat's console on the server; Hint, Check and Reset. The
// trainer's page: every seat, polled each second. The token travels in a header, never in a request's body.
"use strict";
(function () {
  const body = document.body;
  const token = body.dataset.token;

  async function api(path, payload) {
    const init = {method: payload === undefined ? "GET" : "POST",
                  headers: {"X-Trustlab-Token": token, "Content-Type": "application/json"}};
    if (payload !== undefined) init.body = JSON.stringify(payload);
    const response = await fetch(path, init);
    if (!response.ok) throw new Error(path + ": " + response.status);
    return response.json();
  }

  function seatPage() {
    const seat = body.dataset.seat;
    const term = new Terminal({convertEol: true, cursorBlink: true, scrollback: 5000, fontSize: 14,
                               fontFamily: 'Consolas, "DejaVu Sans Mono", "Noto Sans Mono CJK JP", monospace',
                               theme: {background: "#0c0c0c", foreground: "#cccccc"}});
    const fit = new FitAddon.FitAddon();
    term.loadAddon(fit);
    term.open(document.getElementById("terminal"));
    fit.fit();
    window.addEventListener("resize", () => fit.fit());
    let prompt = "", secret = false, buffer = "", history = [], back = 0, queue = Promise.resolve();
    const put = (text) => { if (text) term.write(text.replace(/\n/g, "\r\n") + "\r\n"); };
    const shown = (ch) => secret ? "*" : ch;
    const redraw = () => term.write("\r\x1b[K" + prompt + (secret ? "*".repeat(buffer.length) : buffer));
    window.classroom = {ready: false, busy: 0};

    function answer(r) {
      if (r.cleared) term.clear();
      put(r.output);
      prompt = r.prompt; secret = r.secret;
      term.write(prompt);
    }
    async function load() {
      const s = await api(`/seat/${seat}/state`);
      term.reset();
      s.screen.forEach(put);
      prompt = s.prompt; secret = s.secret; buffer = "";
      term.write(prompt);
      window.classroom.ready = true;
    }
    async function submit() {
      const line = buffer;
      buffer = ""; back = 0;
      term.write("\r\n");
      if (!secret && line.trim()) history.push(line);
      answer(await api(`/seat/${seat}/line`, {line}));
    }
    async function key(data) {
      if (data === "\x1b[A" || data === "\x1b[B") {               // history, never of hidden answers
        if (secret || !history.length) return;
        back = data === "\x1b[A" ? Math.min(back + 1, history.length) : Math.max(back - 1, 0);
        buffer = back ? history[history.length - back] : "";
        redraw();
        return;
      }
      for (const ch of data) {
        if (ch === "\r") await submit();
        else if (ch === "\x7f" || ch === "\b") { if (buffer) { buffer = buffer.slice(0, -1); term.write("\b \b"); } }
        else if (ch === "\x03") { buffer = ""; term.write("^C\r\n" + prompt); }
        else if (ch >= " " && ch !== "\x7f") { buffer += ch; term.write(shown(ch)); }
      }
    }
    const drawn = () => new Promise((done) => term.write("", done));      // parsed (drawn at the next frame)
    function serial(work) {                                   // one thing at a time, each drawn before the next
      window.classroom.busy++;
      queue = queue.then(work).catch((e) => put("[trustlab] " + e.message)).then(drawn)
        .finally(() => window.classroom.busy--);
    }
    term.onData((data) => serial(() => key(data)));
    for (const what of ["hint", "check"]) {
      document.getElementById(what).addEventListener("click", () => serial(async () => {
        term.write("\r\n");
        const r = await api(`/seat/${seat}/${what}`, {});
        put("[" + document.getElementById(what).textContent + "]");
        put(r.output);
        prompt = r.prompt; secret = r.secret;
        redraw();
      }));
    }
    const reset = document.getElementById("reset");
    let sure = 0;
    reset.addEventListener("click", () => {
      if (Date.now() - sure > 5000) {                         // a second click within 5 s resets
        sure = Date.now(); reset.textContent = body.dataset.sure; reset.classList.add("sure");
        return;
      }
      sure = 0; reset.textContent = body.dataset.reset; reset.classList.remove("sure");
      serial(async () => { await api(`/seat/${seat}/reset`, {}); await load(); });
    });
    serial(load);
    term.focus();
  }

  function trainerPage() {
    const words = JSON.parse(body.dataset.words);
    const rows = document.querySelector("#seats tbody");
    const cell = (tr, text, css) => { const td = tr.insertCell(); if (css) td.className = css;
                                      if (text !== undefined) td.textContent = text; return td; };
    function minutes(s) { return `${Math.floor(s / 60)} ${words.min} ${s % 60} s`; }
    async function poll() {
      try {
        const state = await api("/trainer/state");
        rows.textContent = "";
        for (const s of state.seats) {
          const tr = rows.insertRow();
          tr.id = "seat-" + s.n; tr.dataset.seat = s.n;
          cell(tr, String(s.n));
          cell(tr, s.prompt.trim(), "prompt");
          const typed = cell(tr, undefined, "typed");
          for (const line of s.typed.slice(-8)) {
            const c = document.createElement("code"); c.textContent = line; typed.appendChild(c);
          }
          cell(tr, `${s.hints}/${s.of}`, "hints");
          const c = s.check;
          const check = cell(tr, c ? `${c.passed}/${c.total} ${c.verdict}` + (c.solved_by ? ` (${words.solved_by} ${c.solved_by})` : "")
                                   : words.not_yet, "check " + (c ? (c.verdict === "FIXED" ? "ok" : "bad") : ""));
          if (c) for (const note of c.caveats) {
            const p = document.createElement("div"); p.className = "caveat"; p.textContent = note; check.appendChild(p);
          }
          cell(tr, minutes(s.since), "since");
          cell(tr, String(s.resets), "resets");
          const link = cell(tr, undefined, "link");
          const a = document.createElement("a");
          a.href = `/seat/${s.n}?t=${encodeURIComponent(s.token)}`; a.textContent = words.seat.replace("{n}", s.n);
          a.target = "_blank"; a.rel = "noreferrer"; link.appendChild(a);
        }
        body.dataset.polled = String(Date.now());
      } catch (e) { console.warn(e.message); }
    }
    poll();
    setInterval(poll, 1000);
  }

  if (body.classList.contains("seat")) seatPage(); else trainerPage();
})();
