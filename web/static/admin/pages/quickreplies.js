// Public quick replies: categories, and replies an agent inserts by typing
// "/" and the reply's shortcut. Agents keep their personal ones in the desk.

import * as api from "../api.js";
import { listNav, move, resourcePage } from "../crud.js";
import { Form, section } from "../form.js";
import { confirmDialog, fill, formDialog, h, iconButton, toast } from "../ui.js";

const ALL = -1;
const NONE = 0;

export default async function quickReplies(root, ctx) {
  let cats = [];
  let replies = [];
  let current = ALL;
  const catList = h("ul", { class: "rows" });
  listNav(catList);
  const side = h(
    "aside",
    { class: "list-pane card" },
    h("div", { class: "list-tools" }, h("span", { class: "pane-title", text: "Categories" }), iconButton("plus", "New category", () => editCategory(null))),
    catList,
  );

  const inCategory = (r) => current === ALL || (r.category_id || 0) === current;

  function renderCats() {
    const entry = (id, name, n, c) => {
      const btn = h(
        "button",
        { type: "button", class: "row-main", "data-id": id, "aria-current": current === id ? "true" : null, onclick: () => pick(id) },
        h("span", { class: "row-text" }, h("span", { class: "row-title", text: name })),
        h("span", { class: "muted small", text: String(n) }),
      );
      const li = h("li", { class: "row" }, btn);
      if (c) {
        const sibs = cats;
        const i = sibs.indexOf(c);
        const up = iconButton("up", `Move ${c.name} up`, async () => (await move(sibs, c, -1, "/quick-reply-categories"), page.reload()));
        const down = iconButton("down", `Move ${c.name} down`, async () => (await move(sibs, c, 1, "/quick-reply-categories"), page.reload()));
        up.disabled = i === 0;
        down.disabled = i === sibs.length - 1;
        li.append(h("span", { class: "row-tools" }, up, down, iconButton("pencil", `Rename ${c.name}`, () => editCategory(c)), iconButton("trash", `Delete ${c.name}`, () => deleteCategory(c))));
      }
      return li;
    };
    const count = (id) => replies.filter((r) => id === ALL || (r.category_id || 0) === id).length;
    fill(
      catList,
      entry(ALL, "All replies", count(ALL)),
      ...cats.map((c) => entry(c.id, c.name, count(c.id), c)),
      replies.some((r) => !r.category_id) || !cats.length ? entry(NONE, "Uncategorised", count(NONE)) : null,
    );
    if (catList.dataset.refocus) {
      catList.querySelector(`.row-main[data-id="${catList.dataset.refocus}"]`)?.focus();
      delete catList.dataset.refocus;
    }
  }

  async function pick(id) {
    current = id;
    renderCats();
    page.refresh();
  }

  function editCategory(c) {
    const model = { name: c ? c.name : "", position: c ? c.position : cats.length };
    const form = new Form(model);
    formDialog(
      c ? "Rename category" : "New category",
      (body) => body.append(form.banner, form.text("name", "Name", { required: true, max: 50, placeholder: "Shipping" })),
      async () => {
        try {
          const saved = c ? await api.put(`/quick-reply-categories/${c.id}`, api.body({ ...c, ...model })) : await api.post("/quick-reply-categories", model);
          toast(c ? "Category renamed" : "Category created");
          if (!c && saved) current = saved.id;
          await page.reload();
        } catch (e) {
          form.showError(e);
          throw e;
        }
      },
      c ? "Save" : "Create category",
    );
  }

  async function deleteCategory(c) {
    const n = replies.filter((r) => r.category_id === c.id).length;
    const msg = n ? `“${c.name}” holds ${n} repl${n === 1 ? "y" : "ies"}. Deleting the category may delete them or leave them uncategorised.` : `“${c.name}” will be deleted.`;
    if (!(await confirmDialog("Delete category?", msg, "Delete", true))) return;
    try {
      await api.del(`/quick-reply-categories/${c.id}`);
      toast("Category deleted");
      if (current === c.id) current = ALL;
      await page.reload();
    } catch (e) {
      toast(e.message, "err");
    }
  }

  const page = await resourcePage(root, ctx, {
    title: "Quick replies",
    desc: "Public replies every agent can insert by typing / and the shortcut. Agents add personal ones in the desk. Alt+↑/↓ moves the focused item.",
    noun: "quick reply",
    nouns: "quick replies",
    path: "/quick-replies",
    side,
    extract: (data) => {
      cats = (data.categories || []).filter((c) => !c.agent_id).sort((a, b) => a.position - b.position || a.id - b.id);
      // Uncategorised replies first, then category by category.
      const rank = new Map(cats.map((c, i) => [c.id, i + 1]));
      replies = (data.replies || [])
        .filter((r) => !r.agent_id)
        .sort((a, b) => (rank.get(a.category_id) || 0) - (rank.get(b.category_id) || 0) || a.position - b.position || a.id - b.id);
      if (current > 0 && !cats.some((c) => c.id === current)) current = ALL;
      return replies;
    },
    onReload: renderCats,
    visible: inCategory,
    blank: () => ({
      shortcut: "",
      content: "",
      category_id: current > 0 ? current : 0,
      position: replies.filter((r) => (r.category_id || 0) === (current > 0 ? current : 0)).length,
    }),
    row: (r) => ({ title: "/" + r.shortcut, sub: r.content }),
    tools: (r, { list, reload }) => {
      const sibs = list.filter((x) => (x.category_id || 0) === (r.category_id || 0));
      const i = sibs.findIndex((x) => x.id === r.id);
      const up = iconButton("up", `Move /${r.shortcut} up`, async () => (await move(sibs, r, -1, "/quick-replies"), reload()));
      const down = iconButton("down", `Move /${r.shortcut} down`, async () => (await move(sibs, r, 1, "/quick-replies"), reload()));
      up.disabled = i === 0;
      down.disabled = i === sibs.length - 1;
      return [up, down];
    },
    build: (f) => [
      section(
        "Reply",
        null,
        f.select("category_id", "Category", [[0, "— none —"], ...cats.map((c) => [c.id, c.name])]),
        f.text("shortcut", "Shortcut", {
          required: true,
          max: 30,
          trim: true,
          placeholder: "refund",
          help: "1–30 characters without spaces, unique among public replies. Agents type /shortcut to insert the reply.",
        }),
        f.text("content", "Content", { type: "textarea", rows: 6, required: true, placeholder: "We have refunded your order; the money reaches your account within 3 working days." }),
      ),
    ],
    emptyText: "Create a category, then the replies agents use most.",
  });
  renderCats();
  return page;
}
