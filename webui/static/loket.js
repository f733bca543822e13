/* Loket: a little plain JavaScript where live updates help. No inline
   scripts (the CSP forbids them); every feature finds its elements by data-
   attributes and does nothing on pages without them. */
"use strict";

function debounce(fn, ms) {
  let timer = null;
  return function (...args) { clearTimeout(timer); timer = setTimeout(() => fn.apply(this, args), ms); };
}

async function getJSON(url) {
  const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
  if (!response.ok) throw new Error(response.status);
  return response.json();
}

/* The SMS counter: characters, parts and encoding, from the box's own codec. */
function setupCounters() {
  document.querySelectorAll("textarea[data-counter]").forEach((area) => {
    const out = document.getElementById(area.dataset.counter);
    if (!out) return;
    const update = debounce(async () => {
      try {
        const plan = await getJSON("/api/plan?text=" + encodeURIComponent(area.value));
        // The words come from the page, in the user's language (data-words="characters|left in this part|because of").
        const [chars, left, because] = (out.dataset.words || "characters|left in this part|because of").split("|");
        let line = `${plan.chars} ${chars} · ${plan.parts} SMS · ${plan.remaining} ${left} · `;
        line += plan.encoding === "gsm7" ? "GSM-7" : `UCS-2 ${because} “${plan.offending}”`;
        out.textContent = line;
        out.classList.toggle("warn", plan.encoding !== "gsm7" || plan.parts > 1);
      } catch (e) { out.textContent = ""; }
    }, 150);
    area.addEventListener("input", update);
    update();
  });
}

/* Quick replies: a tap fills the reply box (without JS the link reloads
   the page with the box filled), and the counter counts it. */
function setupQuickReplies() {
  const area = document.getElementById("reply-text");
  if (!area) return;
  document.querySelectorAll("a[data-fill]").forEach((link) => {
    link.addEventListener("click", (event) => {
      event.preventDefault();
      area.value = link.dataset.fill;
      area.dispatchEvent(new Event("input"));
      area.focus();
    });
  });
}

/* The conversation page: new messages appear without a reload. */
function setupLiveThread() {
  const thread = document.querySelector("ol.thread[data-since]");
  if (!thread) return;
  let after = Number(thread.dataset.last || 0);
  const poll = async () => {
    try {
      const data = await getJSON(thread.dataset.since + "?after=" + after);
      for (const m of data.messages) {
        if (document.getElementById("m" + m.id)) continue;
        const li = document.createElement("li");
        li.className = "msg " + m.direction;
        li.id = "m" + m.id;
        const text = document.createElement("p");
        text.className = "text";
        text.textContent = m.text;  // text, never HTML
        const info = document.createElement("p");
        info.className = "info";
        info.textContent = m.when + (m.direction === "out" ? " · " + m.state : "");
        info.dataset.state = m.id;
        li.append(text, info);
        if (m.understood) {  // how Loket read it; teaching needs the page reloaded
          const read = document.createElement("p");
          read.className = "understood";
          read.textContent = m.understood;
          li.append(read);
        }
        thread.append(li);
        after = Math.max(after, m.id);
      }
      for (const [id, state] of Object.entries(data.states)) {
        const el = document.querySelector(`[data-state="${id}"] .state`);
        if (el) el.textContent = state;
      }
    } catch (e) { /* the box may be restarting; try again */ }
  };
  setInterval(poll, 3000);
}

/* A campaign's progress bar. */
function setupProgress() {
  const box = document.querySelector("[data-progress]");
  if (!box) return;
  const bar = box.querySelector("progress");
  const tick = async () => {
    try {
      const p = await getJSON(box.dataset.progress);
      bar.value = p.done_percent;
      box.querySelectorAll("[data-field]").forEach((el) => { el.textContent = p[el.dataset.field]; });
      if (p.status === "done" || p.status === "cancelled") return;
    } catch (e) { /* keep trying */ }
    setTimeout(tick, 2000);
  };
  setTimeout(tick, 1000);
}

/* Keywords and replies: each reply's SMS (characters, parts, cost) as it is typed,
   and the search narrowing the groups at once (the form's ?q= does it without JS). */
function setupReplyPreviews() {
  document.querySelectorAll("textarea[data-reply]").forEach((area) => {
    const box = area.parentElement;
    const show = (selector, text) => {
      const el = box.querySelector(selector);
      if (el) { el.textContent = text || ""; el.hidden = !text; }
    };
    const update = debounce(async () => {
      try {
        const url = "/settings/templates/preview?key=" + encodeURIComponent(area.dataset.reply) +
          "&language=" + encodeURIComponent(area.dataset.lang) + "&text=" + encodeURIComponent(area.value || area.placeholder);
        const p = await getJSON(url);
        const line = box.querySelector("[data-line]");
        line.textContent = p.line;
        line.classList.toggle("warn", p.warn);
        show("[data-note]", p.note);
        show("[data-problem]", p.problem);
        area.setAttribute("aria-invalid", p.problem ? "true" : "false");
        box.querySelector("[data-sample]").textContent = p.text;
      } catch (e) { /* the box may be restarting; the counts stay as they were */ }
    }, 200);
    area.addEventListener("input", update);
  });
}

function fold(text) {
  return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, " ").trim();
}

function setupFilter() {
  const input = document.querySelector("input[data-filter]");
  const form = input && document.getElementById(input.dataset.filter);
  if (!form) return;
  const groups = [...form.querySelectorAll("details[data-group]")];
  groups.forEach((g) => { g.dataset.wasOpen = g.open ? "1" : ""; });
  const none = document.querySelector("[data-none]");
  input.addEventListener("input", () => {
    const q = fold(input.value);
    let total = 0;
    for (const group of groups) {
      let shown = 0;
      group.querySelectorAll("[data-search]").forEach((item) => {
        const hit = !q || item.dataset.search.includes(q);
        item.hidden = !hit;
        shown += hit ? 1 : 0;
      });
      group.hidden = shown === 0;
      group.open = q ? shown > 0 : group.dataset.wasOpen === "1";
      total += shown;
    }
    if (none) none.hidden = total > 0;
  });
}

/* The waiting-room display refreshes itself. */
function setupDisplay() {
  const board = document.querySelector("[data-board]");
  if (!board) return;
  const tick = async () => {
    try {
      const b = await getJSON(board.dataset.board);
      board.querySelector("[data-now]").textContent = b.now_serving.join("  ") || "–";
      board.querySelector("[data-next]").textContent = b.waiting.slice(0, 8).join("  ") || "–";
    } catch (e) { /* keep showing the last numbers */ }
  };
  setInterval(tick, 3000);
}

/* A status the worker settles (the wizard's test SMS): the page looks again
   every 2 s, a minute at most, until the box no longer marks it data-watch. */
function setupWatch() {
  const box = document.querySelector("[data-watch]");
  if (!box) return;
  let tries = 0;
  const tick = async () => {
    try {
      const response = await fetch(location.href, { credentials: "same-origin" });
      const fresh = new DOMParser().parseFromString(await response.text(), "text/html").getElementById(box.id);
      if (!fresh) return;
      box.innerHTML = fresh.innerHTML;  // the box's own page, escaped by its templates
      if (!fresh.hasAttribute("data-watch")) return;
    } catch (e) { /* keep trying */ }
    if (++tries < 30) setTimeout(tick, 2000);
  };
  setTimeout(tick, 2000);
}

// Ask before acting: a button with data-confirm="…" (sends SMS, spends credit,
// removes access or cannot be undone) asks its question first.
function setupConfirmations() {
  document.addEventListener("click", (event) => {
    const button = event.target.closest("button[data-confirm]");
    if (button && !window.confirm(button.dataset.confirm)) {
      event.preventDefault();
    }
  });
}

/* Lists on a phone become cards (loket.css): each cell is labelled with its
   column's heading, so the card reads "Status  waiting". An empty cell is
   left out of the card. */
function setupCardLabels() {
  document.querySelectorAll("table").forEach((table) => {
    const heads = [...table.querySelectorAll(":scope > thead th")].map((th) => th.textContent.trim());
    if (!heads.length) return;
    table.querySelectorAll(":scope > tbody > tr").forEach((row) => {
      [...row.children].forEach((cell, i) => {
        if (!cell.hasAttribute("data-label")) cell.dataset.label = heads[i] || "";
        if (!cell.textContent.trim() && !cell.querySelector("a, button, input, select, img")) cell.classList.add("blank");
      });
    });
  });
}

/* A form that takes a moment says so: its button greys out and reads
   "Saving…" or, where it sends SMS, "Sending…" (the words come from the
   page's <body data-busy>), so nobody taps twice. The button is disabled
   only after the browser has taken its name and value into the request. */
function setupBusyForms() {
  const words = document.body.dataset;
  if (!words.busy) return;
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (event.defaultPrevented || (form.method || "").toLowerCase() !== "post" || form.closest("header")) return;
    const button = event.submitter || form.querySelector("button[type=submit], button:not([type])");
    if (!button) return;
    const target = button.getAttribute("formaction") || form.action;  // "save as a quick reply" sends nothing
    const sending = button.value === "send" || /\/(reply|resend|notify|test)$/.test(target);
    setTimeout(() => {
      button.dataset.idle = button.textContent;
      button.textContent = sending ? words.busySend : words.busy;
      button.disabled = true;
      button.classList.add("busy");
    }, 0);
  });
  // Back to a page the browser kept: its buttons work again.
  window.addEventListener("pageshow", () => {
    document.querySelectorAll("button.busy").forEach((button) => {
      button.textContent = button.dataset.idle;
      button.disabled = false;
      button.classList.remove("busy");
    });
  });
}

// An invoice or receipt: its Print button opens the browser's print dialog
// (the page's print CSS sets the paper: A4 or the 58 mm roll).
function setupPrint() {
  for (const button of document.querySelectorAll("button[data-print]")) {
    button.addEventListener("click", () => window.print());
  }
}

document.addEventListener("DOMContentLoaded", () => {
  setupPrint();
  setupCardLabels();
  setupBusyForms();
  setupConfirmations();
  setupCounters();
  setupLiveThread();
  setupQuickReplies();
  setupProgress();
  setupReplyPreviews();
  setupFilter();
  setupDisplay();
  setupWatch();
});
