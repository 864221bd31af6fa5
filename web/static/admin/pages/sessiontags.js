// Session tags: the tree agents tag sessions with — at most 10 levels, 30
// first-level tags and 1000 tags in all, ordered within each level.

import { grid, move, resourcePage } from "../crud.js";
import { section } from "../form.js";
import { h, icon, iconButton, swatch } from "../ui.js";
import { presets } from "./customertags.js";

const MAX_DEPTH = 10;
const MAX_TOP = 30;
const MAX_ALL = 1000;

function depthOf(t, byID) {
  let d = 1;
  for (let p = byID.get(t.parent_id); p && d <= MAX_DEPTH; p = byID.get(p.parent_id)) d++;
  return d;
}

function index(list) {
  return new Map(list.map((t) => [t.id, t]));
}

function siblings(list, parent) {
  return list.filter((t) => (t.parent_id || 0) === (parent || 0)).sort((a, b) => a.position - b.position || a.id - b.id);
}

// descendants returns the IDs under id, so that a tag cannot move below itself.
function descendants(list, id) {
  const out = new Set([id]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const t of list) {
      if (t.parent_id && out.has(t.parent_id) && !out.has(t.id)) {
        out.add(t.id);
        grew = true;
      }
    }
  }
  return out;
}

function path(t, byID) {
  const names = [t.name];
  for (let p = byID.get(t.parent_id); p; p = byID.get(p.parent_id)) names.unshift(p.name);
  return names.join(" / ");
}

// collapsed holds the tags whose children are hidden, for this browser tab.
const collapsed = new Set(JSON.parse(sessionStorage.getItem("sb.admin.collapsed_tags") || "[]"));

function saveCollapsed() {
  sessionStorage.setItem("sb.admin.collapsed_tags", JSON.stringify([...collapsed]));
}

// hiddenByParent reports whether a collapsed ancestor hides t.
function hiddenByParent(t, byID) {
  for (let p = byID.get(t.parent_id); p; p = byID.get(p.parent_id)) if (collapsed.has(p.id)) return true;
  return false;
}

export default (root, ctx) =>
  resourcePage(root, ctx, {
    title: "Session tags",
    desc: "The tags agents put on sessions, as a tree of up to 10 levels. Order tags within a level with the arrows, or Alt+↑/↓ on the focused tag; ←/→ fold and unfold.",
    noun: "session tag",
    path: "/session-tags",
    blank: (aux, list) => ({ name: "", parent_id: 0, color: "", position: list ? siblings(list, 0).length : 0 }),
    depth: (t, list) => depthOf(t, index(list)) - 1,
    count: (list) => `${list.length} of ${MAX_ALL} tags · ${siblings(list, 0).length} of ${MAX_TOP} first-level`,
    row: (t) => ({ title: t.name, lead: swatch(t.color) }),
    // Without a filter, the children of a collapsed tag are hidden.
    visible: (t, q, list) => !!q || !hiddenByParent(t, index(list)),
    before: (t, { list, refresh }) => {
      const kids = list.filter((x) => x.parent_id === t.id).length;
      if (!kids) return h("span", { class: "twisty-space" });
      const open = !collapsed.has(t.id);
      return h(
        "button",
        {
          type: "button",
          class: "twisty",
          tabindex: "-1",
          "aria-expanded": String(open),
          "aria-label": (open ? "Collapse " : "Expand ") + t.name,
          title: `${kids} tag${kids === 1 ? "" : "s"} under ${t.name}`,
          onclick: () => {
            if (open) collapsed.add(t.id);
            else collapsed.delete(t.id);
            saveCollapsed();
            refresh();
          },
        },
        icon("chevron"),
      );
    },
    tools: (t, { list, reload, create }) => {
      const sibs = siblings(list, t.parent_id);
      const i = sibs.findIndex((x) => x.id === t.id);
      const deep = depthOf(t, index(list)) >= MAX_DEPTH;
      const up = iconButton("up", `Move ${t.name} up`, async () => (await move(sibs, t, -1, "/session-tags"), reload()));
      const down = iconButton("down", `Move ${t.name} down`, async () => (await move(sibs, t, 1, "/session-tags"), reload()));
      up.disabled = i === 0;
      down.disabled = i === sibs.length - 1;
      const add = iconButton("plus", `Add a tag under ${t.name}`, () => create({ parent_id: t.id, position: siblings(list, t.id).length }));
      add.disabled = deep;
      return [up, down, add];
    },
    build: (f, model, aux, isNew, item) => {
      const list = aux.list || [];
      const byID = index(list);
      const banned = isNew ? new Set() : descendants(list, item.id);
      const parents = [[0, "— none (first level) —"]].concat(
        list.filter((t) => !banned.has(t.id) && depthOf(t, byID) < MAX_DEPTH).map((t) => [t.id, "\u2003".repeat(depthOf(t, byID) - 1) + t.name]),
      );
      return [
        section(
          "Tag",
          null,
          grid(
            f.text("name", "Name", { required: true, max: 50, placeholder: "Billing question", help: "Unique among the tags of the same parent." }),
            f.select("parent_id", "Parent", parents, {
              help: !isNew && model.parent_id ? "Now under " + path(byID.get(model.parent_id) || { name: "?" }, byID) : "Leave empty for a first-level tag.",
              onchange: (p) => f.set("position", siblings(list, p).filter((x) => x.id !== model.id).length),
            }),
          ),
          f.color("color", "Colour", { optional: true, presets }),
        ),
        !isNew &&
          h(
            "p",
            { class: "help" },
            siblings(list, item.id).length ? `${siblings(list, item.id).length === 1 ? "One tag is" : siblings(list, item.id).length + " tags are"} under it; delete or move them first to delete this one.` : "Sessions already tagged keep the tag's name when it is deleted.",
          ),
      ];
    },
    load: async () => ({}),
    afterReload: null,
  });
