// DOM helpers shared by the console's pages: an element builder, icons,
// toasts, a confirmation dialog, copy to clipboard.

import { toast as commonToast } from "../common/api.js";

/**
 * h builds an element. attrs: class, text, on* handlers, dataset, aria-*,
 * and any other attribute; children are nodes, strings or arrays of them
 * (null and false are skipped).
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "text") el.textContent = v;
    else if (k === "dataset") Object.assign(el.dataset, v);
    else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "value") el.value = v;
    else if (k === "checked" || k === "disabled" || k === "selected" || k === "hidden") el[k] = !!v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  append(el, children);
  return el;
}

/** fill replaces el's children; like h, it skips null and false and flattens arrays. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

function append(el, children) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
}

const paths = {
  up: "M12 19V5M5 12l7-7 7 7",
  down: "M12 5v14M19 12l-7 7-7-7",
  plus: "M12 5v14M5 12h14",
  trash: "M4 7h16M10 11v6M14 11v6M6 7l1 13h10l1-13M9 7V4h6v3",
  copy: "M9 9h11v11H9zM5 15H4V4h11v1",
  eye: "M2 12s4-7 10-7 10 7 10 7-4 7-10 7S2 12 2 12zM12 9a3 3 0 1 0 0 6 3 3 0 0 0 0-6z",
  chevron: "M9 6l6 6-6 6",
  x: "M6 6l12 12M18 6L6 18",
  pencil: "M4 20h4L19 9l-4-4L4 16v4zM13.5 6.5l4 4",
  logout: "M15 4h4v16h-4M10 8l-4 4 4 4M6 12h11",
};

/** icon returns an inline SVG icon by name. */
export function icon(name) {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("class", "icon");
  svg.setAttribute("aria-hidden", "true");
  const p = document.createElementNS(ns, "path");
  p.setAttribute("d", paths[name] || "");
  svg.append(p);
  return svg;
}

/** iconButton is a square button with an icon and an accessible label. */
export function iconButton(name, label, onclick, cls = "") {
  return h("button", { type: "button", class: "icon-btn " + cls, title: label, "aria-label": label, onclick }, icon(name));
}

/** toast shows a short note with the shared toasts ("ok" or "err"). */
export function toast(message, kind = "ok") {
  commonToast(message, kind === "err" ? "error" : kind);
}

/**
 * confirmDialog asks a question in a modal dialog and resolves true when
 * the user confirms. Escape and Cancel resolve false.
 */
export function confirmDialog(title, message, okLabel = "OK", danger = false) {
  return new Promise((resolve) => {
    const ok = h("button", { type: "submit", class: danger ? "danger-fill" : "primary", value: "ok", text: okLabel });
    const cancel = h("button", { type: "submit", value: "cancel", text: "Cancel" });
    const dlg = h(
      "dialog",
      { class: "dialog", "aria-labelledby": "dlg-title" },
      h(
        "form",
        { method: "dialog" },
        h("h2", { id: "dlg-title", text: title }),
        h("p", { class: "dialog-text", text: message }),
        h("div", { class: "dialog-actions" }, cancel, ok),
      ),
    );
    dlg.addEventListener("close", () => {
      resolve(dlg.returnValue === "ok");
      dlg.remove();
    });
    document.body.append(dlg);
    dlg.showModal();
    // A destructive question defaults to the safe answer.
    (danger ? cancel : ok).focus();
  });
}

/**
 * formDialog shows a small modal form built by build(body) and calls
 * submit() on save; submit may throw to keep the dialog open (it shows
 * its own errors).
 */
export function formDialog(title, build, submit, saveLabel = "Save") {
  const content = h("div", { class: "dialog-body" });
  const save = h("button", { type: "submit", class: "primary", text: saveLabel });
  const cancel = h("button", { type: "button", text: "Cancel" });
  const form = h("form", {}, h("h2", { text: title }), content, h("div", { class: "dialog-actions" }, cancel, save));
  const dlg = h("dialog", { class: "dialog" }, form);
  cancel.addEventListener("click", () => dlg.close());
  dlg.addEventListener("close", () => dlg.remove());
  form.addEventListener("submit", async (ev) => {
    ev.preventDefault();
    save.disabled = true;
    try {
      await submit();
      dlg.close();
    } catch {
      /* the form shows the error */
    } finally {
      save.disabled = false;
    }
  });
  build(content);
  document.body.append(dlg);
  dlg.showModal();
  const first = content.querySelector("input, select, textarea");
  if (first) first.focus();
  return dlg;
}

/** copyText puts text on the clipboard and says so. */
export async function copyText(text, what) {
  try {
    await navigator.clipboard.writeText(text);
    toast(`${what} copied to the clipboard`);
  } catch {
    const ta = h("textarea", { class: "sr-only", value: text });
    document.body.append(ta);
    ta.select();
    const ok = document.execCommand("copy");
    ta.remove();
    toast(ok ? `${what} copied to the clipboard` : "Copying is blocked here; select the text and copy it", ok ? "ok" : "err");
  }
}

/** swatch is a small colour dot (CSSOM styles are allowed by the page's CSP). */
export function swatch(color) {
  const s = h("span", { class: "swatch", "aria-hidden": "true" });
  if (color) s.style.background = color;
  else s.classList.add("none");
  return s;
}

/** emptyState is the placeholder of an empty list or panel. */
export function emptyState(title, text, action) {
  return h("div", { class: "empty" }, h("p", { class: "empty-title", text: title }), text && h("p", { class: "muted", text }), action);
}

/** fmtDuration renders seconds as "1 h 5 min" for hints. */
export function fmtDuration(s) {
  s = Number(s) || 0;
  if (s <= 0) return "off";
  const parts = [];
  const d = Math.floor(s / 86400), hr = Math.floor((s % 86400) / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  if (d) parts.push(d + " d");
  if (hr) parts.push(hr + " h");
  if (m) parts.push(m + " min");
  if (sec) parts.push(sec + " s");
  return parts.join(" ");
}
