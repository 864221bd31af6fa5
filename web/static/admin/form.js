// Forms bound to a JSON model. Each control reads its value from a path of
// the model ("welcome.text", "scores[2].tags") and writes it back on input,
// marking the form dirty. A refusal from the server names the field first
// ("scores[2].text is required"); showError puts it next to that field.

import { h, iconButton } from "./ui.js";

let seq = 0;

function keys(path) {
  return path.split(/[.[\]]+/).filter(Boolean).map((k) => (/^\d+$/.test(k) ? Number(k) : k));
}

/** getPath reads a dotted/indexed path of obj. */
export function getPath(obj, path) {
  return keys(path).reduce((o, k) => (o == null ? undefined : o[k]), obj);
}

/** setPath writes a dotted/indexed path of obj, creating objects on the way. */
export function setPath(obj, path, v) {
  const ks = keys(path);
  let o = obj;
  ks.slice(0, -1).forEach((k, i) => {
    if (o[k] == null) o[k] = typeof ks[i + 1] === "number" ? [] : {};
    o = o[k];
  });
  o[ks[ks.length - 1]] = v;
}

/** Form binds controls to model and collects their errors. */
export class Form {
  constructor(model, onChange) {
    this.model = model;
    this.onChange = onChange || (() => {});
    this.fields = new Map();
    this.dirty = false;
    this.banner = h("div", { class: "form-error", role: "alert", hidden: true });
  }

  get(path) {
    return getPath(this.model, path);
  }

  set(path, v) {
    setPath(this.model, path, v);
    this.touch();
  }

  touch() {
    this.dirty = true;
    this.onChange();
  }

  // wrap lays out a labelled control with its help and error line.
  wrap(path, label, control, opts = {}) {
    const id = control.id || "f" + ++seq;
    if (control.matches("input, select, textarea")) control.id = id;
    const err = h("div", { class: "field-error", id: id + "-err", hidden: true });
    control.setAttribute("aria-describedby", id + "-err");
    const field = h(
      "div",
      { class: "field" + (opts.wide ? " wide" : "") + (opts.cls ? " " + opts.cls : "") },
      label && h(opts.labelFor || control.matches("input, select, textarea") ? "label" : "div", { for: opts.labelFor || (control.matches("input, select, textarea") ? id : null), class: "label" }, label, opts.required && h("span", { class: "req", "aria-hidden": "true", text: " *" })),
      opts.inline ? h("div", { class: "inline" }, control, opts.after) : [control, opts.after],
      opts.help && h("div", { class: "help", text: opts.help }),
      err,
    );
    this.fields.set(path, { field, control, err, label: label || path });
    return field;
  }

  /** text is a text input or textarea (opts.type: text, email, url, password, textarea). */
  text(path, label, opts = {}) {
    const tag = opts.type === "textarea" ? "textarea" : "input";
    const c = h(tag, {
      type: tag === "input" ? opts.type || "text" : null,
      value: this.get(path) ?? "",
      placeholder: opts.placeholder,
      maxlength: opts.max,
      rows: opts.rows || (tag === "textarea" ? 3 : null),
      autocomplete: opts.autocomplete || "off",
      spellcheck: opts.type === "url" || opts.type === "email" ? "false" : null,
      required: opts.required,
      oninput: (e) => this.set(path, opts.trim ? e.target.value.trim() : e.target.value),
    });
    return this.wrap(path, label, c, opts);
  }

  /** number is an integer input; opts.scale divides the stored value for display (bytes → MiB). */
  number(path, label, opts = {}) {
    const scale = opts.scale || 1;
    const v = this.get(path);
    const c = h("input", {
      type: "number",
      inputmode: "numeric",
      value: v == null ? "" : String(v / scale),
      min: opts.min,
      max: opts.max,
      step: opts.step || 1,
      class: "num",
      oninput: (e) => {
        const n = e.target.value === "" ? 0 : Number(e.target.value);
        this.set(path, Number.isFinite(n) ? Math.round(n * scale) : e.target.value);
      },
    });
    return this.wrap(path, label, c, { ...opts, inline: true, after: opts.unit && h("span", { class: "unit", text: opts.unit }) });
  }

  /** duration edits seconds as a number and a unit (seconds, minutes, hours). */
  duration(path, label, opts = {}) {
    const units = [
      [86400, "days"],
      [3600, "hours"],
      [60, "minutes"],
      [1, "seconds"],
    ];
    const v = Number(this.get(path)) || 0;
    let unit = opts.unit || 60;
    if (v) unit = units.find(([u]) => v % u === 0)[0];
    const num = h("input", { type: "number", min: 0, step: 1, class: "num", value: String(v / unit) });
    const sel = h("select", { class: "unit-select", "aria-label": label + " unit" }, units.map(([u, n]) => h("option", { value: u, text: n, selected: u === unit })));
    const update = () => {
      const n = Number(num.value) || 0;
      this.set(path, Math.round(n * Number(sel.value)));
    };
    num.addEventListener("input", update);
    sel.addEventListener("change", update);
    return this.wrap(path, label, num, { ...opts, inline: true, after: sel });
  }

  /** toggle is a switch for a boolean. */
  toggle(path, label, opts = {}) {
    const c = h("input", {
      type: "checkbox",
      role: "switch",
      class: "switch",
      checked: !!this.get(path),
      onchange: (e) => {
        this.set(path, e.target.checked);
        if (opts.onchange) opts.onchange(e.target.checked);
      },
    });
    const id = "f" + ++seq;
    c.id = id;
    const err = h("div", { class: "field-error", hidden: true });
    const field = h(
      "div",
      { class: "field toggle-field" + (opts.wide ? " wide" : "") },
      h("label", { for: id, class: "toggle-row" }, c, h("span", {}, h("span", { class: "toggle-label", text: label }), opts.help && h("span", { class: "help", text: opts.help }))),
      err,
    );
    this.fields.set(path, { field, control: c, err, label });
    return field;
  }

  /** select picks one of options: [[value, label], …]. Numbers stay numbers. */
  select(path, label, options, opts = {}) {
    const cur = this.get(path) ?? "";
    const c = h(
      "select",
      {
        onchange: (e) => {
          const o = options[e.target.selectedIndex];
          this.set(path, o[0]);
          if (opts.onchange) opts.onchange(o[0]);
        },
      },
      options.map(([v, l]) => h("option", { value: String(v), text: l, selected: String(v) === String(cur) })),
    );
    return this.wrap(path, label, c, opts);
  }

  /** radios picks one of options: [[value, label, help], …]. */
  radios(path, label, options, opts = {}) {
    const name = "r" + ++seq;
    const cur = this.get(path);
    const group = h(
      "div",
      { class: "radios", role: "radiogroup", "aria-label": label, tabindex: "-1" },
      options.map(([v, l, help]) =>
        h(
          "label",
          { class: "radio" },
          h("input", {
            type: "radio",
            name,
            value: v,
            checked: v === cur,
            onchange: () => {
              this.set(path, v);
              if (opts.onchange) opts.onchange(v);
            },
          }),
          h("span", {}, h("span", { class: "radio-label", text: l }), help && h("span", { class: "help", text: help })),
        ),
      ),
    );
    return this.wrap(path, label, group, opts);
  }

  /** checks picks any of options: [[value, label], …] into an array. */
  checks(path, label, options, opts = {}) {
    const cur = new Set(this.get(path) || []);
    const boxes = h(
      "div",
      { class: "checks", role: "group", "aria-label": label, tabindex: "-1" },
      options.map(([v, l]) =>
        h(
          "label",
          { class: "check" },
          h("input", {
            type: "checkbox",
            checked: cur.has(v),
            onchange: (e) => {
              if (e.target.checked) cur.add(v);
              else cur.delete(v);
              // keep the order of options
              this.set(path, options.map((o) => o[0]).filter((x) => cur.has(x)));
            },
          }),
          h("span", { text: l }),
        ),
      ),
    );
    return this.wrap(path, label, boxes, opts);
  }

  /** color is a colour picker with its hex text; opts.optional allows none. */
  color(path, label, opts = {}) {
    const cur = this.get(path) || "";
    const picker = h("input", { type: "color", class: "color", value: cur || opts.fallback || "#2f6fed", "aria-label": label + " picker" });
    const hex = h("input", { type: "text", class: "hex", value: cur, placeholder: opts.optional ? "none" : "#rrggbb", maxlength: 7, spellcheck: "false" });
    picker.addEventListener("input", () => {
      hex.value = picker.value;
      this.set(path, picker.value);
    });
    hex.addEventListener("input", () => {
      const v = hex.value.trim();
      if (/^#[0-9a-fA-F]{6}$/.test(v)) picker.value = v.toLowerCase();
      this.set(path, v);
    });
    const presets = (opts.presets || []).map((p) => {
      const b = h("button", { type: "button", class: "preset", title: p, "aria-label": "Colour " + p });
      b.style.background = p;
      b.addEventListener("click", () => {
        picker.value = p;
        hex.value = p;
        this.set(path, p);
      });
      return b;
    });
    const row = h("div", { class: "inline" }, picker, hex, presets.length > 0 && h("span", { class: "presets" }, presets));
    return this.wrap(path, label, row, { ...opts, labelFor: (hex.id = "f" + ++seq) });
  }

  /** lines edits an array of strings, one per line. */
  lines(path, label, opts = {}) {
    const c = h("textarea", {
      rows: opts.rows || 4,
      value: (this.get(path) || []).join("\n"),
      placeholder: opts.placeholder,
      oninput: (e) =>
        this.set(
          path,
          e.target.value
            .split("\n")
            .map((s) => s.trim())
            .filter(Boolean),
        ),
    });
    return this.wrap(path, label, c, opts);
  }

  /** chips edits an array of short strings: Enter or comma adds one. */
  chips(path, label, opts = {}) {
    const list = h("span", { class: "chip-list" });
    const input = h("input", { type: "text", class: "chip-input", placeholder: opts.placeholder || "Type and press Enter" });
    const box = h("div", { class: "chips", onclick: (e) => e.target === box && input.focus() }, list, input);
    const values = () => this.get(path) || [];
    const render = () => {
      list.replaceChildren(
        ...values().map((v, i) =>
          h(
            "span",
            { class: "chip" },
            v,
            iconButton("x", "Remove " + v, () => {
              const next = values().slice();
              next.splice(i, 1);
              this.set(path, next);
              render();
              input.focus();
            }),
          ),
        ),
      );
    };
    const add = () => {
      const v = input.value.replace(/,/g, "").trim();
      if (v && !values().includes(v)) this.set(path, [...values(), v]);
      input.value = "";
      render();
    };
    input.addEventListener("keydown", (e) => {
      if (e.key === "Enter" || e.key === ",") {
        e.preventDefault();
        add();
      } else if (e.key === "Backspace" && input.value === "" && values().length) {
        this.set(path, values().slice(0, -1));
        render();
      }
    });
    input.addEventListener("blur", add);
    render();
    input.id = "f" + ++seq;
    return this.wrap(path, label, box, { ...opts, cls: "chips-field", labelFor: input.id });
  }

  /**
   * repeater edits an array of objects as rows: opts.row(base, i) builds a
   * row's fields from paths under base ("fields[2]"), opts.blank() makes a
   * new item, opts.cols is the rows' grid template; rows move and go.
   */
  repeater(path, label, opts) {
    const box = h("div", { class: "repeater" });
    const add = h("button", { type: "button", class: "rep-add" }, iconButton("plus", "").firstChild, opts.addLabel || "Add");
    const render = (focusIndex) => {
      for (const k of [...this.fields.keys()]) if (k.startsWith(path + "[")) this.fields.delete(k);
      const items = this.get(path) || [];
      const rows = items.map((_, i) => {
        const base = `${path}[${i}]`;
        const up = iconButton("up", "Move up", () => swap(i, i - 1));
        const down = iconButton("down", "Move down", () => swap(i, i + 1));
        up.disabled = i === 0;
        down.disabled = i === items.length - 1;
        const tools = h("div", { class: "rep-tools" }, opts.fixed ? null : [up, down, iconButton("trash", "Remove", () => removeAt(i))]);
        const row = h("div", { class: "rep-row" }, opts.row(base, i), tools);
        row.style.gridTemplateColumns = opts.cols;
        return row;
      });
      box.replaceChildren(...rows);
      if (!items.length && opts.empty) box.append(h("div", { class: "help", text: opts.empty }));
      if (!opts.fixed) box.append(add);
      add.disabled = !!(opts.max && items.length >= opts.max);
      if (focusIndex !== undefined && rows[focusIndex]) rows[focusIndex].querySelector("input, select, textarea")?.focus();
    };
    const swap = (i, j) => {
      const items = (this.get(path) || []).slice();
      [items[i], items[j]] = [items[j], items[i]];
      this.set(path, items);
      render(j);
    };
    const removeAt = (i) => {
      const items = (this.get(path) || []).slice();
      items.splice(i, 1);
      this.set(path, items);
      render(Math.min(i, items.length - 1));
    };
    add.addEventListener("click", () => {
      const items = [...(this.get(path) || []), opts.blank()];
      this.set(path, items);
      render(items.length - 1);
    });
    render();
    box.rerender = render;
    return this.wrap(path, label, box, { help: opts.help, wide: true });
  }

  /** clearErrors hides every error. */
  clearErrors() {
    this.banner.hidden = true;
    for (const f of this.fields.values()) {
      f.err.hidden = true;
      f.field.classList.remove("has-error");
      f.control.removeAttribute("aria-invalid");
    }
  }

  /**
   * showError puts a refusal next to the field it names (the longest
   * registered path the message starts with), or above the form.
   */
  showError(e) {
    this.clearErrors();
    const msg = e.message || String(e);
    let best = null;
    for (const [path, f] of this.fields) {
      if (!msg.startsWith(path)) continue;
      const next = msg.charAt(path.length);
      if (next && !" :[.".includes(next)) continue;
      if (!best || path.length > best[0].length) best = [path, f];
    }
    if (!best) {
      // A message that names a field further in ("an agent user needs the
      // agent_id of …") belongs to that field.
      for (const [path, f] of this.fields) {
        const at = msg.indexOf(path);
        if (at < 0 || /[\w.[]/.test(msg.charAt(at - 1) || " ") || /[\w[]/.test(msg.charAt(at + path.length) || " ")) continue;
        if (!best || path.length > best[0].length) best = [path, f];
      }
    }
    if (!best) {
      // Conflicts name no field; a few say which one they are about.
      for (const [re, path] of [
        [/ is named /, "name"],
        [/ has the e-mail /, "email"],
        [/ has the shortcut /, "shortcut"],
        [/ acts as agent /, "agent_id"],
      ]) {
        if (re.test(msg) && this.fields.has(path)) best = [path, this.fields.get(path)];
      }
    }
    if (best && !msg.startsWith(best[0])) {
      const f = best[1];
      f.err.textContent = msg.charAt(0).toUpperCase() + msg.slice(1);
      f.err.hidden = false;
      f.field.classList.add("has-error");
      f.control.setAttribute("aria-invalid", "true");
      f.control.focus?.();
      return;
    }
    if (!best) {
      this.banner.textContent = msg.charAt(0).toUpperCase() + msg.slice(1);
      this.banner.hidden = false;
      this.banner.scrollIntoView({ block: "nearest" });
      return;
    }
    const [path, f] = best;
    const sep = msg.charAt(path.length);
    const rest = msg.slice(path.length).replace(/^[:\s]+/, "");
    let text;
    if (sep === "[" || sep === ".") text = msg;
    else if (sep === ":") text = rest.charAt(0).toUpperCase() + rest.slice(1);
    else text = (f.label && f.label !== path ? f.label : "This field") + " " + rest;
    f.err.textContent = text;
    f.err.hidden = false;
    f.field.classList.add("has-error");
    f.control.setAttribute("aria-invalid", "true");
    f.field.scrollIntoView({ block: "center" });
    const focusable = f.control.matches("input, select, textarea") ? f.control : f.control.querySelector("input, select, textarea");
    if (focusable) focusable.focus();
  }
}

/** section groups fields under a heading. */
export function section(title, desc, ...fields) {
  return h("section", { class: "form-section" }, h("div", { class: "section-head" }, h("h3", { text: title }), desc && h("p", { class: "help", text: desc })), h("div", { class: "section-body" }, fields));
}
