// The admin console: a left navigation and one page at a time, chosen by
// the address's hash (#/web-plugins/3). A page with unsaved changes asks
// before it is left; Ctrl+S (⌘S) saves the page's form.

import { loadMe, logout } from "./api.js";
import { changePassword } from "./password.js";
import { confirmDialog, h, icon } from "./ui.js";

// Pages a supervisor may open too; every other page is for administrators.
const supervisorPages = new Set(["wallboard", "reports"]);

const sections = [
  [
    "Monitor",
    [
      ["wallboard", "Wallboard", () => import("./pages/wallboard.js")],
      ["reports", "Reports", () => import("./pages/reports.js")],
    ],
  ],
  [
    "Chat",
    [
      ["web-plugins", "Web plugins", () => import("./pages/plugins.js")],
      ["quick-replies", "Quick replies", () => import("./pages/quickreplies.js")],
      ["templates", "Leave-message templates", () => import("./pages/templates.js")],
      ["session-tags", "Session tags", () => import("./pages/sessiontags.js")],
      ["customer-tags", "Customer tags", () => import("./pages/customertags.js")],
    ],
  ],
  [
    "Settings",
    [
      ["chat", "Chat features", () => import("./pages/chatsettings.js")],
      ["routing", "Routing", () => import("./pages/routing.js")],
      ["csat", "Satisfaction", () => import("./pages/csat.js")],
    ],
  ],
  [
    "People",
    [
      ["users", "Users", () => import("./pages/users.js")],
      ["agents", "Agents", () => import("./pages/agents.js")],
      ["groups", "Skill groups", () => import("./pages/groups.js")],
    ],
  ],
];

let routes = new Map(sections.flatMap(([, items]) => items.map((it) => [it[0], it])));
const main = document.getElementById("main");
let current = null; // { name, page }
let shown = location.hash;
let home = "web-plugins";

function parseHash() {
  const m = location.hash.match(/^#\/([\w-]+)(?:\/(\d+))?/);
  const name = m && routes.has(m[1]) ? m[1] : home;
  return { name, id: m && m[2] ? Number(m[2]) : 0 };
}

function renderNav(active) {
  const nav = document.getElementById("nav");
  const shownSections = sections.map(([title, items]) => [title, items.filter((it) => routes.has(it[0]))]).filter(([, items]) => items.length);
  nav.replaceChildren(
    ...shownSections.map(([title, items]) =>
      h(
        "div",
        { class: "nav-group" },
        h("div", { class: "nav-title", text: title }),
        items.map(([name, label]) => h("a", { href: "#/" + name, class: "nav-link", "aria-current": name === active ? "page" : null, text: label })),
      ),
    ),
  );
}

/** dirty reports whether the shown page has unsaved changes. */
function dirty() {
  return !!(current && current.page && current.page.isDirty && current.page.isDirty());
}

/** leaveOK asks before unsaved changes are dropped. */
export async function leaveOK() {
  if (!dirty()) return true;
  return confirmDialog("Discard unsaved changes?", "This page has changes that are not saved. Leave it and lose them?", "Discard changes", true);
}

async function show() {
  const { name, id } = parseHash();
  if (current && current.name === name) {
    if (current.page && current.page.select && id) current.page.select(id);
    shown = location.hash;
    return;
  }
  if (current && !(await leaveOK())) {
    history.replaceState(null, "", shown);
    return;
  }
  shown = location.hash;
  if (current && current.page && current.page.destroy) current.page.destroy();
  renderNav(name);
  const [, label, load] = routes.get(name);
  document.title = label + " · Switchboard console";
  main.replaceChildren(h("div", { class: "loading", text: "Loading…" }));
  current = { name, page: null };
  try {
    const mod = await load();
    if (current.name !== name) return;
    const root = h("div", { class: "page" });
    main.replaceChildren(root);
    current.page = (await mod.default(root, { id })) || {};
  } catch (e) {
    const missing = e.status === 404 || e.status === 405;
    main.replaceChildren(
      h(
        "div",
        { class: "page" },
        h("h1", { text: label }),
        h("div", { class: "form-error", role: "alert", text: missing ? `This server does not offer ${label.toLowerCase()} yet (${e.message}).` : e.message || String(e) }),
        h("button", { type: "button", onclick: () => ((current = null), show()) }, "Try again"),
      ),
    );
  }
  main.focus({ preventScroll: true });
}

function renderWho(me) {
  const who = document.getElementById("who");
  const name = me.user ? me.user.name || me.user.email : me.role;
  who.replaceChildren(
    h(
      "div",
      {},
      h("div", { class: "who-name", text: name }),
      me.user && h("div", { class: "who-role", text: me.role }),
      h("a", { href: "/desk", class: "link-btn" }, icon("chevron"), "Agent desk"),
      me.user && h("button", { type: "button", class: "link-btn", id: "change-password", onclick: changePassword }, icon("pencil"), "Change password"),
      h("button", { type: "button", class: "link-btn", onclick: logout }, icon("logout"), "Sign out"),
    ),
  );
}

async function start() {
  let me = null;
  try {
    me = await loadMe();
  } catch (e) {
    main.replaceChildren(h("div", { class: "page" }, h("div", { class: "form-error", role: "alert", text: e.message })));
    return;
  }
  renderWho(me);
  if (me.role === "supervisor") {
    routes = new Map([...routes].filter(([name]) => supervisorPages.has(name)));
    home = "wallboard";
  } else if (me.role !== "admin") {
    main.replaceChildren(
      h("div", { class: "page" }, h("div", { class: "empty" }, h("p", { class: "empty-title", text: "The console is for administrators" }), h("p", {}, "Your role is ", me.role, ". ", h("a", { href: "/desk", text: "Open the agent desk" })))),
    );
    return;
  }
  window.addEventListener("hashchange", show);
  window.addEventListener("beforeunload", (e) => {
    if (dirty()) {
      e.preventDefault();
      e.returnValue = "";
    }
  });
  document.addEventListener("keydown", (e) => {
    if ((e.ctrlKey || e.metaKey) && e.key.toLowerCase() === "s") {
      e.preventDefault();
      if (current && current.page && current.page.save) current.page.save();
    }
  });
  show();
}

start();
