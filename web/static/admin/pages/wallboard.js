// Wallboard: a tile per skill group — sessions waiting, the longest wait
// ticking, agents available and busy, today's service level — kept live
// over the WebSocket (subscribe_wallboard). Made to be read across a room:
// large figures, colours for the thresholds, and a full-screen mode.

import * as api from "../api.js";
import { pageHead } from "../crud.js";
import { fill, h } from "../ui.js";

// Colour thresholds. A wait is fine below the service-level target,
// a warning up to three times it, then an alarm; a service level is fine
// from 80%, a warning from 60%.
const WAIT_WARN = 1;
const WAIT_ALARM = 3;
const SL_OK = 0.8;
const SL_WARN = 0.6;

const PING_MS = 25000;
const STYLE_ID = "wallboard-css";

function loadStyle() {
  if (document.getElementById(STYLE_ID)) return;
  document.head.append(h("link", { id: STYLE_ID, rel: "stylesheet", href: "/static/admin/pages/wallboard.css" }));
}

/** clock shows seconds as m:ss, or h:mm:ss from an hour. */
export function clock(s) {
  s = Math.max(0, Math.floor(s));
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, "0");
  return hh ? `${hh}:${String(mm).padStart(2, "0")}:${ss}` : `${mm}:${ss}`;
}

function percent(f) {
  return f === null || f === undefined ? "—" : (f * 100).toFixed(1) + "%";
}

function seconds(ms) {
  return ms === null || ms === undefined ? "—" : (ms / 1000).toFixed(1) + " s";
}

function waitLevel(secs, waiting, target) {
  if (!waiting) return "ok";
  if (secs >= target * WAIT_ALARM) return "alarm";
  if (secs >= target * WAIT_WARN) return "warn";
  return "ok";
}

function slLevel(f) {
  if (f === null || f === undefined) return "none";
  if (f >= SL_OK) return "ok";
  if (f >= SL_WARN) return "warn";
  return "alarm";
}

function zoneChoices(current) {
  const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  const list = new Set(["UTC", current, ...zones]);
  return [...list].filter(Boolean);
}

export default async function wallboard(root) {
  loadStyle();
  const stored = localStorage.getItem("wallboard.tz");
  const browserZone = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC";
  let tz = stored || browserZone;
  let board = null; // the last wallboard frame
  let receivedAt = 0; // when it came, on this browser's clock
  let ws = null;
  let retry = 0;
  let retryTimer = 0;
  let pinger = 0;
  let stopped = false;

  const state = h("span", { class: "pill wb-state", role: "status", text: "Connecting…" });
  const zone = h(
    "select",
    { id: "wb-tz", "aria-label": "Time zone of today's figures" },
    zoneChoices(tz).map((z) => h("option", { value: z, selected: z === tz, text: z })),
  );
  zone.addEventListener("change", () => {
    tz = zone.value;
    localStorage.setItem("wallboard.tz", tz);
    send({ op: "subscribe_wallboard", tz });
  });
  const full = h("button", { type: "button", onclick: () => toggleFull() }, "Full screen");
  const totals = h("div", { class: "wb-totals" });
  const tiles = h("div", { class: "wb-tiles", "aria-live": "polite" });
  const foot = h("p", { class: "wb-foot" });
  const boardEl = h("section", { class: "wb-board", "aria-label": "Wallboard" }, totals, tiles, foot);
  fill(
    root,
    pageHead("Wallboard", "Every skill group's queue and agents, live. Today's figures count from midnight in the chosen time zone.", h("label", { class: "wb-zone" }, "Today in ", zone), full, state),
    boardEl,
  );

  function toggleFull() {
    const on = !document.body.classList.contains("wallboard-tv");
    document.body.classList.toggle("wallboard-tv", on);
    full.textContent = on ? "Leave full screen" : "Full screen";
    if (on && boardEl.requestFullscreen) boardEl.requestFullscreen().catch(() => {});
    if (!on && document.fullscreenElement) document.exitFullscreen().catch(() => {});
  }
  // Leaving full screen with Esc leaves the TV layout too.
  const onFullscreen = () => {
    if (!document.fullscreenElement && document.body.classList.contains("wallboard-tv")) toggleFull();
  };
  document.addEventListener("fullscreenchange", onFullscreen);

  function setState(text, kind) {
    state.textContent = text;
    state.className = "pill wb-state" + (kind ? " pill-" + kind : "");
  }

  function send(obj) {
    if (ws && ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(obj));
  }

  function connect() {
    if (stopped) return;
    const proto = location.protocol === "https:" ? "wss:" : "ws:";
    const sock = new WebSocket(proto + "//" + location.host + "/api/v1/ws");
    ws = sock;
    setState("Connecting…");
    sock.onopen = () => {
      retry = 0;
      sock.send(JSON.stringify({ op: "subscribe_wallboard", tz }));
      clearInterval(pinger);
      pinger = setInterval(() => send({ op: "ping" }), PING_MS);
    };
    sock.onmessage = (m) => {
      let f;
      try {
        f = JSON.parse(m.data);
      } catch {
        return;
      }
      if (f.op === "wallboard" && f.wallboard) {
        board = f.wallboard;
        receivedAt = Date.now();
        setState("Live", "ok");
        render();
      } else if (f.op === "error") {
        setState((f.error && f.error.message) || "Refused", "danger");
      }
    };
    sock.onclose = () => {
      clearInterval(pinger);
      if (ws !== sock || stopped) return;
      setState("Reconnecting…", "warn");
      const delay = Math.min(30000, 500 * 2 ** retry) * (0.75 + Math.random() * 0.5);
      retry = Math.min(retry + 1, 8);
      retryTimer = setTimeout(connect, delay);
    };
  }

  function stop() {
    stopped = true;
    clearInterval(ticker);
    clearInterval(pinger);
    clearTimeout(retryTimer);
    document.removeEventListener("fullscreenchange", onFullscreen);
    document.body.classList.remove("wallboard-tv");
    if (document.fullscreenElement) document.exitFullscreen().catch(() => {});
    if (ws) ws.close(1000);
  }

  // The longest waits tick between frames, from when the frame came.
  function elapsed() {
    return board ? (Date.now() - receivedAt) / 1000 : 0;
  }

  function longest(f) {
    return f.waiting ? f.longest_wait_seconds + elapsed() : 0;
  }

  function figure(label, value, cls = "", attrs = {}) {
    return h("div", { class: "wb-fig " + cls, ...attrs }, h("div", { class: "wb-fig-value", text: value }), h("div", { class: "wb-fig-label", text: label }));
  }

  function render() {
    if (!board) return;
    const target = board.within_seconds;
    const t = board.totals;
    const available = t.agents.online + t.agents.invisible;
    fill(
      totals,
      figure("Waiting", String(t.waiting), "wb-" + waitLevel(longest(t), t.waiting, target), { "data-total": "waiting" }),
      figure("Longest wait", clock(longest(t)), "wb-" + waitLevel(longest(t), t.waiting, target), { "data-clock": "total" }),
      figure("Agents available", String(available)),
      figure("Free slots", String(t.free)),
      figure(`Service level, ${target} s`, t.today ? percent(t.today.service_level) : "—", "wb-sl-" + slLevel(t.today && t.today.service_level)),
      figure("Avg. speed of answer", t.today ? seconds(t.today.average_answer_ms) : "—"),
      figure("Abandoned today", t.today ? String(t.today.abandoned) : "—"),
    );
    fill(
      tiles,
      board.groups.length
        ? board.groups.map((g) => tile(g, target))
        : h("p", { class: "wb-empty", text: "No skill groups yet. Create one under People › Skill groups." }),
    );
    fill(
      foot,
      board.totals.today ? null : "Today's figures need the reports, which this server does not keep. ",
      `Waits turn amber at ${target} s and red at ${target * WAIT_ALARM} s; the service level is green from ${SL_OK * 100}% and amber from ${SL_WARN * 100}%.`,
    );
  }

  // bar is the used share of the capacity (set through the CSSOM: the
  // console's content security policy refuses style attributes).
  function bar(share) {
    const el = h("div", { class: "wb-bar-fill" });
    el.style.width = (share * 100).toFixed(0) + "%";
    return el;
  }

  function tile(g, target) {
    const secs = longest(g);
    const level = waitLevel(secs, g.waiting, target);
    const a = g.agents;
    const today = g.today;
    const capacityShare = g.capacity ? Math.min(1, (g.capacity - g.free) / g.capacity) : 0;
    return h(
      "article",
      { class: "wb-tile wb-" + level, dataset: { group: String(g.group_id) }, "aria-label": g.name },
      h("h2", { class: "wb-name", text: g.name }),
      h(
        "div",
        { class: "wb-main" },
        h("div", { class: "wb-waiting" }, h("div", { class: "wb-big", "data-waiting": "", text: String(g.waiting) }), h("div", { class: "wb-fig-label", text: "waiting" })),
        h("div", { class: "wb-longest" }, h("div", { class: "wb-clock", "data-clock": String(g.group_id), text: clock(secs) }), h("div", { class: "wb-fig-label", text: "longest wait" })),
      ),
      h(
        "div",
        { class: "wb-agents" },
        h("span", { class: "wb-st wb-st-online", title: "Online or invisible" }, h("b", { text: String(a.online + a.invisible) }), " available"),
        h("span", { class: "wb-st wb-st-busy" }, h("b", { text: String(a.busy) }), " busy"),
        h("span", { class: "wb-st wb-st-away" }, h("b", { text: String(a.away) }), " away"),
        h("span", { class: "wb-st wb-st-offline" }, h("b", { text: String(a.offline) }), " offline"),
      ),
      h(
        "div",
        { class: "wb-load", title: `${g.load} sessions in hand; ${g.free} free of ${g.capacity}` },
        h("div", { class: "wb-bar", role: "presentation" }, bar(capacityShare)),
        h("span", { text: `${g.load} in hand · ${g.free} free` }),
      ),
      h(
        "div",
        { class: "wb-today" },
        h("div", { class: "wb-sl wb-sl-" + slLevel(today && today.service_level) }, h("b", { "data-sl": "", text: today ? percent(today.service_level) : "—" }), " SL"),
        h("div", {}, h("b", { text: today ? seconds(today.average_answer_ms) : "—" }), " ASA"),
        h("div", {}, h("b", { text: today ? String(today.abandoned) : "—" }), " abandoned"),
      ),
    );
  }

  // Tick the clocks each second; stop when the page is left.
  const ticker = setInterval(() => {
    if (!root.isConnected) {
      stop();
      return;
    }
    if (!board) return;
    for (const el of root.querySelectorAll("[data-clock]")) {
      const id = el.dataset.clock;
      const f = id === "total" ? board.totals : board.groups.find((g) => String(g.group_id) === id);
      if (!f) continue;
      const secs = longest(f);
      const text = clock(secs);
      const value = el.classList.contains("wb-fig") ? el.querySelector(".wb-fig-value") : el;
      if (value.textContent !== text) value.textContent = text;
      const tileEl = el.closest(".wb-tile");
      if (tileEl) tileEl.className = "wb-tile wb-" + waitLevel(secs, f.waiting, board.within_seconds);
    }
  }, 1000);

  // The first picture comes by GET, so that the page is useful even while
  // the WebSocket is being set up; the frames then keep it live.
  const first = () => api.get("/wallboard?tz=" + encodeURIComponent(tz));
  try {
    board = await first();
  } catch (e) {
    if (e.code !== "invalid" || tz === "UTC") throw e;
    // A zone this server does not know: fall back to UTC.
    localStorage.removeItem("wallboard.tz");
    tz = "UTC";
    zone.value = tz;
    board = await first();
  }
  receivedAt = Date.now();
  render();
  connect();
  return { destroy: stop };
}
