// Leave-message templates: the form a visitor fills in to leave a message
// when no agent can chat. One template is the default.

import { grid, resourcePage } from "../crud.js";
import { section } from "../form.js";
import { fill, h } from "../ui.js";

const types = [
  ["text", "Short text"],
  ["textarea", "Long text"],
  ["email", "E-mail"],
  ["phone", "Phone"],
  ["select", "Choice"],
];

// fieldsEditor edits the template's fields as rows.
function fieldsEditor(f) {
  let rep;
  const row = (base) => {
    const opts = f.lines(base + ".options", "Choices", { rows: 3, placeholder: "One choice per line", cls: "span-row" });
    opts.hidden = f.get(base + ".type") !== "select";
    return [
      f.text(base + ".label", "Label", { required: true, placeholder: "Your e-mail" }),
      f.text(base + ".key", "Key", { required: true, trim: true, placeholder: "email" }),
      f.select(base + ".type", "Type", types, {
        onchange: (t) => {
          opts.hidden = t !== "select";
          if (t !== "select") f.set(base + ".options", undefined);
        },
      }),
      h("div", { class: "req-col" }, f.toggle(base + ".required", "Required")),
      opts,
    ];
  };
  rep = f.repeater("fields", "Fields", {
    cols: "1.3fr 1fr 0.9fr 0.8fr auto",
    blank: () => ({ key: "", label: "", type: "text", required: false }),
    row,
    addLabel: "Add field",
    max: 30,
    empty: "No fields: visitors write only their message. Add a way to reach them.",
    help: "The form always ends with the message itself. The keys name, email and phone hold the visitor's contact details (types short text, e-mail and phone); keys are a-z, 0-9 and _.",
  });
  return rep;
}

// preview draws the form as a visitor will see it, redrawn as it is edited.
function preview(model) {
  const box = h("div", { class: "tpl-preview", "aria-label": "Preview of the form" });
  const draw = () => {
    const input = (f) => {
      if (f.type === "textarea") return h("textarea", { rows: 2, disabled: true });
      if (f.type === "select") return h("select", { disabled: true }, h("option", { text: "Choose…" }), (f.options || []).map((o) => h("option", { text: o })));
      return h("input", { type: f.type === "phone" ? "tel" : f.type === "email" ? "email" : "text", disabled: true });
    };
    fill(
      box,
      model.intro && h("p", { class: "tpl-intro", text: model.intro }),
      (model.fields || []).map((f) => h("label", { class: "tpl-field" }, h("span", {}, f.label || f.key || "(no label)", f.required && h("span", { class: "req", text: " *" })), input(f))),
      h("label", { class: "tpl-field" }, h("span", {}, "Message", h("span", { class: "req", text: " *" })), h("textarea", { rows: 3, disabled: true })),
      h("button", { type: "button", class: "primary", disabled: true, text: "Send" }),
    );
  };
  draw();
  queueMicrotask(() => {
    const form = box.closest("form");
    form?.addEventListener("input", draw);
    form?.addEventListener("change", draw);
    form?.addEventListener("click", () => setTimeout(draw));
  });
  return box;
}

export default (root, ctx) =>
  resourcePage(root, ctx, {
    title: "Leave-message templates",
    desc: "The form visitors fill in to leave a message outside work hours or when no agent is free.",
    noun: "template",
    path: "/leave-message-templates",
    sort: (a, b) => Number(b.default) - Number(a.default) || a.name.localeCompare(b.name),
    blank: (aux, list) => ({
      name: "",
      intro: "",
      default: !list || list.length === 0,
      fields: [
        { key: "name", label: "Name", type: "text", required: false },
        { key: "email", label: "E-mail", type: "email", required: true },
      ],
    }),
    row: (t) => ({ title: t.name, sub: plural((t.fields || []).length, "field"), badge: t.default ? "Default" : null, badgeClass: "pill-ok" }),
    build: (f, model) => [
      section(
        "Template",
        null,
        grid(f.text("name", "Name", { required: true, max: 100, placeholder: "After hours" }), f.toggle("default", "Default template", { help: "Used by web plugins that name no template." })),
        f.text("intro", "Introduction", { type: "textarea", rows: 2, placeholder: "We are away right now. Leave us a message and we will answer by e-mail." }),
      ),
      section("Form fields", null, fieldsEditor(f)),
      section("Preview", "What a visitor fills in.", preview(model)),
    ],
  });

function plural(n, word) {
  return n === 1 ? `1 ${word}` : `${n} ${word}s`;
}
