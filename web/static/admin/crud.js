// The list-and-editor page most console resources share: a filterable
// list on the left, the chosen item's form on the right, Save, Discard and
// Delete, and a guard for unsaved changes.

import * as api from "./api.js";
import { Form } from "./form.js";
import { leaveOK } from "./app.js";
import { confirmDialog, emptyState, h, icon, toast } from "./ui.js";

/** pageHead is a page's title row. */
export function pageHead(title, desc, ...actions) {
  return h("header", { class: "page-head" }, h("div", {}, h("h1", { text: title }), desc && h("p", { class: "desc", text: desc })), h("div", { class: "page-actions" }, actions));
}

/**
 * listNav moves focus between a list's buttons with the arrow keys; with
 * Alt, it moves the focused item itself (its row's Move up/down button).
 */
export function listNav(list) {
  list.addEventListener("keydown", (e) => {
    if ((e.key === "ArrowRight" || e.key === "ArrowLeft") && document.activeElement.matches(".row-main")) {
      const twisty = document.activeElement.closest(".row").querySelector(".twisty");
      if (twisty && twisty.getAttribute("aria-expanded") === String(e.key === "ArrowLeft")) {
        e.preventDefault();
        list.dataset.refocus = document.activeElement.dataset.id;
        twisty.click();
      }
      return;
    }
    if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
    if (e.altKey) {
      const row = document.activeElement.closest(".row");
      const mover = row && row.querySelector(`.row-tools [aria-label^="Move"][aria-label$="${e.key === "ArrowUp" ? "up" : "down"}"]`);
      if (mover && !mover.disabled) {
        e.preventDefault();
        list.dataset.refocus = document.activeElement.dataset.id;
        mover.click();
      }
      return;
    }
    const btns = [...list.querySelectorAll(".row-main")];
    const i = btns.indexOf(document.activeElement);
    if (i < 0) return;
    e.preventDefault();
    const next = btns[Math.max(0, Math.min(btns.length - 1, i + (e.key === "ArrowDown" ? 1 : -1)))];
    next.focus();
  });
}

/** savebar is the editor's footer of actions. */
export function savebar({ onSave, onDiscard, onDelete, saveLabel = "Save" }) {
  const save = h("button", { type: "submit", class: "primary", text: saveLabel });
  const discard = h("button", { type: "button", text: "Discard changes", onclick: onDiscard, disabled: true });
  const status = h("span", { class: "save-status muted", "aria-live": "polite" });
  const bar = h(
    "footer",
    { class: "savebar" },
    onDelete && h("button", { type: "button", class: "danger", onclick: onDelete }, icon("trash"), "Delete"),
    h("span", { class: "spacer" }),
    status,
    h("span", { class: "kbd-hint muted small", "aria-hidden": "true" }, h("kbd", { class: "kbd", text: /Mac/.test(navigator.platform) ? "⌘" : "Ctrl" }), " ", h("kbd", { class: "kbd", text: "S" })),
    discard,
    save,
  );
  bar.setDirty = (d) => {
    discard.disabled = !d;
    status.textContent = d ? "Unsaved changes" : "";
  };
  bar.busy = (b) => {
    save.disabled = b;
  };
  save.addEventListener("click", (e) => {
    e.preventDefault();
    onSave();
  });
  return bar;
}

/**
 * resourcePage mounts a list-and-editor page for a collection under
 * cfg.path. cfg: title, desc, noun, path, blank(), row(item) →
 * {title, sub, color, badge}, build(form, model, aux, isNew) → nodes,
 * load(aux) for related lists, prepare(model, isNew) → request body,
 * sort(a, b), noDelete.
 */
export async function resourcePage(root, ctx, cfg) {
  let list = [];
  let aux = {};
  let sel = null; // { id, form, bar }
  let loaded = null; // the first load: the editor needs its related lists
  const listEl = h("ul", { class: "rows" + (cfg.depth ? " tree" : ""), role: "list" });
  const filter = h("input", { type: "search", class: "filter", placeholder: "Filter " + cfg.title.toLowerCase(), "aria-label": "Filter" });
  const count = h("div", { class: "list-foot muted small" });
  const editor = h("section", { class: "editor card", "aria-live": "polite" });
  listNav(listEl);

  root.append(
    pageHead(cfg.title, cfg.desc, h("button", { type: "button", class: "primary", onclick: () => open(0) }, icon("plus"), "New " + cfg.noun)),
    h("div", { class: "split" + (cfg.side ? " three" : "") }, cfg.side, h("aside", { class: "list-pane card" }, h("div", { class: "list-tools" }, filter), listEl, count), editor),
  );
  filter.addEventListener("input", renderList);

  async function reload() {
    const [data, a] = await Promise.all([api.get(cfg.path), cfg.load ? cfg.load() : {}]);
    list = cfg.extract ? cfg.extract(data) : api.items(data);
    if (cfg.sort) list.sort(cfg.sort);
    aux = { ...(a || {}), list, data };
    if (cfg.onReload) cfg.onReload(aux);
    renderList();
  }

  function renderList() {
    const q = filter.value.trim().toLowerCase();
    const shown = list.filter((it) => {
      if (cfg.visible && !cfg.visible(it, q, list)) return false;
      if (!q) return true;
      const r = cfg.row(it, aux);
      return (r.title + " " + (r.sub || "")).toLowerCase().includes(q);
    });
    listEl.replaceChildren(
      ...shown.map((it) => {
        const r = cfg.row(it, aux);
        const btn = h(
          "button",
          { type: "button", class: "row-main", "data-id": it.id, "aria-current": sel && sel.id === it.id ? "true" : null, onclick: () => open(it.id) },
          r.lead,
          h("span", { class: "row-text" }, h("span", { class: "row-title", text: r.title || "(unnamed)" }), r.sub && h("span", { class: "row-sub", text: r.sub })),
          r.badge && h("span", { class: "pill " + (r.badgeClass || ""), text: r.badge }),
        );
        const li = h("li", { class: "row" }, cfg.before && cfg.before(it, { list, refresh: renderList }), btn, cfg.tools && h("span", { class: "row-tools" }, cfg.tools(it, { list, reload, create: (preset) => open(0, false, preset) })));
        if (cfg.depth) li.style.setProperty("--depth", cfg.depth(it, list));
        return li;
      }),
    );
    if (!list.length) listEl.append(h("li", { class: "rows-empty muted", text: `No ${plural(cfg)} yet.` }));
    else if (!shown.length) listEl.append(h("li", { class: "rows-empty muted", text: "Nothing matches the filter." }));
    if (listEl.dataset.refocus) {
      listEl.querySelector(`.row-main[data-id="${listEl.dataset.refocus}"]`)?.focus();
      delete listEl.dataset.refocus;
    }
    count.textContent = cfg.count ? cfg.count(list) : list.length === 1 ? `1 ${cfg.noun}` : `${list.length} ${plural(cfg)}`;
  }

  async function open(id, force, preset) {
    // "New …" can be clicked while the page still loads.
    await loaded.catch(() => {});
    if (!force && sel && sel.form.dirty && !(await leaveOK())) return;
    const isNew = !id;
    const item = isNew ? { ...cfg.blank(aux, list), ...preset } : list.find((x) => x.id === id);
    if (!item) {
      showEmpty();
      return;
    }
    const model = structuredClone(item);
    const form = new Form(model, () => bar.setDirty(form.dirty));
    const bar = savebar({
      saveLabel: isNew ? "Create " + cfg.noun : "Save",
      onSave: () => save(),
      onDiscard: () => open(id, true),
      onDelete: !isNew && !cfg.noDelete ? () => remove(item) : null,
    });
    sel = { id: isNew ? 0 : id, form, bar, isNew };
    const body = h("form", { class: "form", novalidate: true, onsubmit: (e) => (e.preventDefault(), save()) }, form.banner, cfg.build(form, model, aux, isNew, item));
    const title = isNew ? "New " + cfg.noun : cfg.row(item, aux).title || "(unnamed)";
    editor.replaceChildren(h("div", { class: "editor-head" }, h("h2", { text: title }), !isNew && h("span", { class: "muted small", text: "ID " + item.id })), body, bar);
    history.replaceState(null, "", "#/" + location.hash.split("/")[1] + (isNew ? "" : "/" + id));
    renderList();
    const first = body.querySelector("input:not([type=checkbox]), select, textarea");
    if (first && !force) first.focus({ preventScroll: true });
  }

  function showEmpty() {
    sel = null;
    editor.replaceChildren(
      emptyState(
        list.length ? `Choose a ${cfg.noun}` : `No ${plural(cfg)} yet`,
        list.length ? "Pick one from the list to edit it, or create a new one." : cfg.emptyText || `Create the first ${cfg.noun}.`,
        h("button", { type: "button", class: "primary", onclick: () => open(0) }, icon("plus"), "New " + cfg.noun),
      ),
    );
    renderList();
  }

  async function save() {
    if (!sel) return;
    const { form, bar, isNew, id } = sel;
    bar.busy(true);
    try {
      const payload = cfg.prepare ? cfg.prepare(structuredClone(form.model), isNew) : api.body(form.model);
      const saved = isNew ? await api.post(cfg.path, payload) : await api.put(`${cfg.path}/${id}`, payload);
      form.dirty = false;
      toast(isNew ? `${cap(cfg.noun)} created` : "Changes saved");
      await reload();
      await open(saved && saved.id ? saved.id : id, true);
    } catch (e) {
      form.showError(e);
    } finally {
      bar.busy(false);
    }
  }

  async function remove(item) {
    const name = cfg.row(item, aux).title;
    if (!(await confirmDialog(`Delete ${cfg.noun}?`, `“${name}” will be deleted. This cannot be undone.`, "Delete", true))) return;
    try {
      await api.del(`${cfg.path}/${item.id}`);
      sel.form.dirty = false;
      toast(`${cap(cfg.noun)} deleted`);
      await reload();
      showEmpty();
    } catch (e) {
      sel.form.showError(e);
    }
  }

  loaded = reload();
  await loaded;
  if (ctx.id && list.some((x) => x.id === ctx.id)) await open(ctx.id, true);
  else showEmpty();

  return {
    isDirty: () => !!(sel && sel.form.dirty),
    refresh: renderList,
    reload,
    create: (preset) => open(0, false, preset),
    save,
    select: (id) => open(id),
  };
}

/**
 * move swaps item with its neighbour among siblings (delta -1 or +1),
 * renumbers the siblings' positions 0…n-1 and saves those that changed.
 */
export async function move(siblings, item, delta, path) {
  const order = siblings.slice();
  const i = order.findIndex((x) => x.id === item.id);
  const j = i + delta;
  if (i < 0 || j < 0 || j >= order.length) return;
  [order[i], order[j]] = [order[j], order[i]];
  const changed = order.map((x, pos) => ({ ...x, position: pos })).filter((x, pos) => siblings.find((s) => s.id === x.id).position !== pos);
  try {
    for (const x of changed) await api.put(`${path}/${x.id}`, api.body(x));
  } catch (e) {
    toast(e.message, "err");
  }
}

function plural(cfg) {
  return cfg.nouns || cfg.noun + "s";
}

function cap(s) {
  return s.charAt(0).toUpperCase() + s.slice(1);
}

/** fieldGrid lays fields out in two columns. */
export function grid(...fields) {
  return h("div", { class: "grid" }, fields);
}
