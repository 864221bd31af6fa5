// Reports: the seven reports of the product and the service level. A
// query area (days, channels, associations, agents or groups and each
// report's own filters), the server's chart of the report, its table with
// a totals row, and a CSV download of the same query. A queue count opens
// the waits behind it; a session number opens that session.

import * as api from "../api.js";
import { pageHead } from "../crud.js";
import { emptyState, fill, h } from "../ui.js";
import { channelName, channels, fmtMS, fmtRate, fmtTime, reports } from "./reports-defs.js";

/** day formats a Date as YYYY-MM-DD in UTC. */
const day = (d) => d.toISOString().slice(0, 10);

/** nextDay is the day after a YYYY-MM-DD day, the range's exclusive end. */
function nextDay(s) {
  const d = new Date(s + "T00:00:00Z");
  d.setUTCDate(d.getUTCDate() + 1);
  return day(d);
}

/**
 * multiPick is a drop-down list of checkboxes: nothing checked means all.
 * It answers the element and a function listing the checked values.
 */
function multiPick(label, allLabel, options, name) {
  const summary = h("summary", { class: "pick-summary" });
  const boxes = options.map(([value, text]) => h("input", { type: "checkbox", value: String(value), name, onchange: update }));
  const list = h(
    "div",
    { class: "pick-list", role: "group", "aria-label": label },
    options.length ? options.map(([, text], i) => h("label", { class: "pick-item" }, boxes[i], text)) : h("p", { class: "muted", text: "None to choose from." }),
  );
  const el = h("div", { class: "field" }, h("span", { class: "label", text: label }), h("details", { class: "pick", "data-name": name }, summary, list));
  function update() {
    const on = boxes.filter((b) => b.checked);
    summary.textContent = on.length === 0 ? allLabel : on.length === 1 ? on[0].parentElement.textContent : on.length + " selected";
  }
  update();
  return { el, values: () => boxes.filter((b) => b.checked).map((b) => b.value) };
}

function field(label, input, help) {
  return h("label", { class: "field" }, h("span", { class: "label", text: label }), input, help && h("span", { class: "help", text: help }));
}

function number(name, value, min, max) {
  return h("input", { type: "number", name, value: String(value), min: String(min), max: String(max), step: "1", class: "num" });
}

function choice(name, options, value) {
  return h(
    "select",
    { name },
    options.map(([v, t]) => h("option", { value: v, selected: v === value, text: t })),
  );
}

/** styles loads the page's stylesheet once. */
function styles() {
  if (document.getElementById("reports-css")) return;
  document.head.append(h("link", { id: "reports-css", rel: "stylesheet", href: "/static/admin/pages/reports.css" }));
}

export default async function reportsPage(root, ctx) {
  styles();
  const [agents, groups, plugins] = await Promise.all([api.optionalItems("/agents"), api.optionalItems("/queues"), api.optionalItems("/web-plugins")]);
  const byName = (a, b) => a.name.localeCompare(b.name);
  const agentOptions = agents.sort(byName).map((a) => [a.id, a.name]);
  const groupOptions = groups.sort(byName).map((g) => [g.id, g.name]);

  let current = reports[0];
  const today = new Date();
  const weekAgo = new Date(today.getTime() - 6 * 86400000);
  const from = h("input", { type: "date", name: "from", value: day(weekAgo), required: true });
  const to = h("input", { type: "date", name: "to", value: day(today), required: true });
  const chans = multiPick("Channels", "All channels", channels, "channel");
  // Associations are the web plugins' entries; without any to list (or
  // the right to list them), entries are typed.
  const seen = new Set();
  const entryOptions = plugins
    .filter((p) => p.entry && !seen.has(p.entry) && seen.add(p.entry))
    .sort(byName)
    .map((p) => [p.entry, `${p.name} (${p.entry})`]);
  const entryPick = entryOptions.length ? multiPick("Associations", "All associations", entryOptions, "entry") : null;
  const entry = h("input", { type: "text", name: "entry", placeholder: "All", maxlength: "400" });
  const pickers = {
    agents: multiPick("Agents", "All agents", agentOptions, "agent_id"),
    groups: multiPick("Skill groups", "All groups", groupOptions, "group_id"),
    fromAgents: multiPick("Transferring agents", "All agents", agentOptions, "from_agent_id"),
  };
  const inputs = {
    threshold: field("Queue threshold (s)", number("threshold", 60, 1, 3600), "Waits longer than this count."),
    kind: field("Transfer type", choice("kind", [["", "All"], ["agent", "To an agent"], ["group", "To a group"]], "")),
    success: field("Success", choice("success", [["", "All"], ["true", "Successful"], ["false", "Not successful"]], "")),
    interval: field("Interval", choice("interval", [["15", "15 minutes"], ["30", "30 minutes"], ["60", "60 minutes"]], "60")),
    within: field("Answer target (s)", number("within", 20, 1, 3600)),
    shortAbandon: field("Short abandon (s)", number("short_abandon", 5, 0, 3600), "Waits given up sooner are left out."),
  };
  const extra = h("div", { class: "report-extra" });
  const error = h("div", { class: "form-error", role: "alert", hidden: true });
  const run = h("button", { type: "submit", class: "primary", text: "Show report" });
  const form = h(
    "form",
    { class: "report-query", "aria-label": "Report query" },
    h(
      "div",
      { class: "report-fields" },
      field("From (UTC)", from),
      field("To (UTC, inclusive)", to),
      chans.el,
      entryPick ? entryPick.el : field("Associations", entry, "Comma-separated entries; empty for all."),
      extra,
    ),
    h("div", { class: "report-run" }, run, error),
  );
  const tabs = h(
    "div",
    { class: "report-tabs", role: "tablist", "aria-label": "Report" },
    reports.map((r) =>
      h("button", {
        type: "button",
        role: "tab",
        class: "report-tab",
        dataset: { name: r.name },
        "aria-selected": String(r === current),
        text: r.title,
        onclick: () => choose(r),
      }),
    ),
  );
  const head = h("div");
  // facts says when the answer does not count every event yet (the server
  // is rebuilding the report facts, or catching up): the numbers are real
  // but incomplete, and the page says so.
  const facts = h("p", { class: "report-facts", role: "status", hidden: true });
  const chart = h("figure", { class: "report-chart" });
  const table = h("div", { class: "report-table" });
  const detail = h("section", { class: "report-detail", hidden: true, "aria-live": "polite" });
  fill(root, pageHead("Reports", "Counted from the event log up to now. Days are UTC days; rates are shown with one decimal."), tabs, form, head, facts, chart, table, detail);

  function choose(r) {
    current = r;
    for (const t of tabs.children) t.setAttribute("aria-selected", String(t.dataset.name === r.name));
    fill(extra, r.filters.map((f) => (pickers[f] ? pickers[f].el : inputs[f])));
    show();
  }

  /** params answers the query of the current report, or throws a message. */
  function params() {
    if (!from.value || !to.value) throw new Error("Choose the first and the last day.");
    if (to.value < from.value) throw new Error("The last day is before the first.");
    const p = new URLSearchParams({ from: from.value + "T00:00:00Z", to: nextDay(to.value) + "T00:00:00Z" });
    for (const c of chans.values()) p.append("channel", c);
    const entries = entryPick ? entryPick.values() : entry.value.split(",").map((s) => s.trim()).filter(Boolean);
    for (const e of entries) p.append("entry", e);
    for (const f of current.filters) {
      if (pickers[f]) for (const v of pickers[f].values()) p.append(pickers[f].el.querySelector("details").dataset.name, v);
      else {
        const input = inputs[f].querySelector("input, select");
        if (input.value !== "") p.set(input.name, input.value);
      }
    }
    return p;
  }

  let queries = 0; // counts the report queries sent
  async function show(cursor, rowsSoFar) {
    let p;
    try {
      p = params();
    } catch (e) {
      error.textContent = e.message;
      error.hidden = false;
      return;
    }
    error.hidden = true;
    detail.hidden = true;
    const r = current;
    const path = "/reports/" + r.name + "?" + p;
    const csv = "/api/v1/reports/" + r.name + "?" + p + "&format=csv";
    fill(
      head,
      h(
        "div",
        { class: "report-head" },
        h("div", {}, h("h2", { text: r.title }), h("p", { class: "desc", text: r.desc })),
        h("a", { class: "btn csv-link", href: csv, download: "", text: "Download CSV" }),
      ),
    );
    if (!cursor) {
      fill(chart, h("img", { src: "/api/v1/reports/" + r.name + "/chart.svg?" + p, alt: r.title + " chart", width: "720" }));
      fill(table, h("div", { class: "loading", text: "Loading…" }));
    }
    run.disabled = true;
    // Only the latest query draws: an earlier one may answer after it.
    const turn = ++queries;
    try {
      const data = await api.get(path + (cursor ? "&cursor=" + encodeURIComponent(cursor) : ""));
      if (current !== r || turn !== queries) return;
      const rows = (rowsSoFar || []).concat(data.rows || []);
      showFacts(data.facts);
      renderTable(r, rows, data.total, data.next_cursor, p);
    } catch (e) {
      if (turn === queries) fill(table, h("div", { class: "form-error", role: "alert", text: e.message }));
    } finally {
      if (turn === queries) run.disabled = false;
    }
  }

  function showFacts(f) {
    facts.hidden = !f || f.current;
    if (facts.hidden) return;
    if (f.rebuilding) {
      const built = f.sessions_built || 0, total = f.sessions_total || 0;
      const pct = total > 0 ? " (" + Math.floor((100 * built) / total) + "%)" : "";
      facts.textContent = "The report data is being rebuilt: " + built.toLocaleString("en") + " of about " +
        total.toLocaleString("en") + " sessions counted so far" + pct + ". These figures are incomplete; run the report again later.";
    } else {
      facts.textContent = "The report data is catching up: it counts events up to " + (f.facts_through || 0).toLocaleString("en") +
        " of " + (f.last_event || 0).toLocaleString("en") + ". These figures are incomplete; run the report again in a moment.";
    }
  }

  function cell(r, col, row, p) {
    const [key, , kind] = col;
    const v = row[key];
    switch (kind) {
      case "n":
        return String(v ?? 0);
      case "ms":
        return fmtMS(v);
      case "rate":
        return fmtRate(v);
      case "score":
        return v === null || v === undefined ? "—" : v.toFixed(2);
      case "time":
        return fmtTime(v);
      case "bool":
        return v ? "Yes" : "No";
      case "kind":
        return v === "agent" ? "To agent" : v === "group" ? (row.overflow ? "To group (overflow)" : "To group") : v;
      case "channel":
        return channelName(v);
      case "agent":
        return v || (row.agent_id ? "Agent " + row.agent_id : "—");
      case "group":
        return v || (row.group_id ? "Group " + row.group_id : "(no group)");
      case "target": {
        const parts = [];
        if (row.to_group_name || row.to_group_id) parts.push(row.to_group_name || "Group " + row.to_group_id);
        if (row.to_agent_name || row.to_agent_id) parts.push(row.to_agent_name || "Agent " + row.to_agent_id);
        return parts.join(" → ") || "—";
      }
      case "session":
        return h("a", { href: "#/reports/" + v, class: "session-link", onclick: (e) => (e.preventDefault(), openSession(v)), text: "#" + v });
      case "queue":
        if (!row.group_id || !v) return String(v ?? 0);
        return h("button", {
          type: "button",
          class: "link queue-count",
          title: "The sessions behind this count",
          onclick: () => openWaits(row, p),
          text: String(v),
        });
    }
    return v === undefined || v === null || v === "" ? "—" : String(v);
  }

  function renderTable(r, rows, total, next, p) {
    if (!rows.length) {
      fill(table, emptyState("No data", "Nothing was counted in this period with these filters."));
      return;
    }
    const numeric = (kind) => ["n", "ms", "rate", "score", "queue"].includes(kind);
    const thead = h("thead", {}, h("tr", {}, r.columns.map((c) => h("th", { scope: "col", class: numeric(c[2]) ? "numeric" : null, text: c[1] }))));
    const tbody = h(
      "tbody",
      {},
      rows.map((row) => h("tr", {}, r.columns.map((c, i) => h(i === 0 ? "th" : "td", { scope: i === 0 ? "row" : null, class: numeric(c[2]) ? "numeric" : null }, cell(r, c, row, p))))),
    );
    const tfoot =
      total &&
      h(
        "tfoot",
        {},
        h(
          "tr",
          {},
          r.columns.map((c, i) =>
            i === 0 ? h("th", { scope: "row", text: "Total" }) : h("td", { class: numeric(c[2]) ? "numeric" : null }, c[2] === "queue" ? String(total[c[0]] ?? 0) : c[0] in total ? cell(r, c, total, p) : ""),
          ),
        ),
      );
    fill(
      table,
      h("div", { class: "table-scroll" }, h("table", { class: "data report", "data-report": r.name }, thead, tbody, tfoot)),
      next && h("button", { type: "button", class: "more", text: "Show more", onclick: () => show(next, rows) }),
    );
  }

  async function openWaits(row, p, cursor, sofar) {
    const q = new URLSearchParams();
    for (const k of ["from", "to", "threshold"]) if (p.has(k)) q.set(k, p.get(k));
    for (const k of ["channel", "entry"]) for (const v of p.getAll(k)) q.append(k, v);
    const csv = "/api/v1/reports/queues/" + row.group_id + "/sessions?" + q + "&format=csv";
    if (cursor) q.set("cursor", cursor);
    detail.hidden = false;
    if (!cursor) fill(detail, h("div", { class: "loading", text: "Loading…" }));
    try {
      const data = await api.get("/reports/queues/" + row.group_id + "/sessions?" + q);
      const waits = (sofar || []).concat(data.rows || []);
      const outcome = { picked_up: "Picked up", abandoned: "Visitor gave up", dropped: "Timed out", other: "Left otherwise", waiting: "Still waiting" };
      fill(
        detail,
        h(
          "div",
          { class: "report-head" },
          h("h2", { text: "Waits behind the queue count of " + (row.group_name || "group " + row.group_id) }),
          h("a", { class: "btn", href: csv, download: "", text: "Download CSV" }),
        ),
        h(
          "div",
          { class: "table-scroll" },
          h(
            "table",
            { class: "data waits" },
            h("thead", {}, h("tr", {}, ["Session", "Queued at", "Queue time", "Outcome", "Agent", "Channel"].map((t) => h("th", { scope: "col", class: t === "Queue time" ? "numeric" : null, text: t })))),
            h(
              "tbody",
              {},
              waits.map((w) =>
                h(
                  "tr",
                  {},
                  h("th", { scope: "row" }, cell(current, ["session_id", "", "session"], w)),
                  h("td", { text: fmtTime(w.at) }),
                  h("td", { class: "numeric", text: fmtMS(w.wait) }),
                  h("td", { text: outcome[w.outcome] || w.outcome }),
                  h("td", { text: w.agent_name || (w.agent_id ? "Agent " + w.agent_id : "—") }),
                  h("td", { text: channelName(w.channel) }),
                ),
              ),
            ),
          ),
        ),
        data.next_cursor && h("button", { type: "button", class: "more", text: "Show more", onclick: () => openWaits(row, p, data.next_cursor, waits) }),
      );
      if (!cursor) detail.scrollIntoView({ block: "nearest" });
    } catch (e) {
      fill(detail, h("div", { class: "form-error", role: "alert", text: e.message }));
    }
  }

  /** speaker names who wrote a transcript line. */
  function speaker(s, l) {
    if (l.nickname) return l.nickname;
    if (l.from === "end_user") return (s.end_user && s.end_user.name) || "Visitor";
    if (l.from === "agent") {
      const a = agents.find((a) => a.id === l.agent_id);
      return a ? a.name : "Agent";
    }
    return l.from === "system" ? "System" : l.from;
  }

  async function openSession(id) {
    const body = h("div", { class: "dialog-body session-view" }, h("div", { class: "loading", text: "Loading…" }));
    const close = h("button", { type: "submit", class: "primary", text: "Close" });
    const dlg = h("dialog", { class: "dialog session-dialog", "aria-labelledby": "session-title" }, h("form", { method: "dialog" }, h("h2", { id: "session-title", text: "Session #" + id }), body, h("div", { class: "dialog-actions" }, close)));
    dlg.addEventListener("close", () => dlg.remove());
    document.body.append(dlg);
    dlg.showModal();
    try {
      const [s, m] = await Promise.all([api.get("/sessions/" + id), api.get("/sessions/" + id + "/messages")]);
      const facts = [
        ["Channel", channelName(s.channel)],
        ["Status", s.status],
        ["Visitor", (s.end_user && (s.end_user.name || s.end_user.identifier)) || "—"],
        ["Skill group", (s.queue && s.queue.name) || "—"],
        ["Agent", (s.agent && s.agent.name) || "—"],
        ["Created", fmtTime(s.created_at)],
        ["Ended", fmtTime(s.ended_at)],
        ["Transfers", String((s.transfers || []).length)],
      ];
      fill(
        body,
        h("dl", { class: "session-facts" }, facts.map(([k, v]) => [h("dt", { text: k }), h("dd", { text: v })])),
        h("h3", { text: "Transcript" }),
        (m.messages || []).length
          ? h("ol", { class: "transcript" }, m.messages.map((l) => h("li", { class: "line from-" + l.from }, h("span", { class: "who", text: speaker(s, l) }), h("span", { class: "when", text: fmtTime(l.at) }), h("p", { text: l.recalled ? "(recalled)" : l.text }))))
          : h("p", { class: "muted", text: "No messages." }),
      );
    } catch (e) {
      fill(body, h("div", { class: "form-error", role: "alert", text: e.message }));
    }
  }

  form.addEventListener("submit", (e) => {
    e.preventDefault();
    show();
  });
  choose(current);
  if (ctx && ctx.id) openSession(ctx.id);
  return { select: (id) => openSession(id) };
}
