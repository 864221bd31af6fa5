// A settings page: one document read with GET and replaced with PUT,
// edited in one form with a sticky save bar.

import * as api from "./api.js";
import { pageHead, savebar } from "./crud.js";
import { Form } from "./form.js";
import { h, toast } from "./ui.js";

/**
 * settingsPage mounts cfg.path's settings: cfg.title, cfg.desc,
 * cfg.load() for related lists, cfg.build(form, model, aux) → nodes.
 */
export async function settingsPage(root, cfg) {
  const [doc, aux] = await Promise.all([api.get(cfg.path), cfg.load ? cfg.load() : {}]);
  let form;
  const holder = h("div", { class: "settings" });
  root.append(pageHead(cfg.title, cfg.desc), holder);

  function render(data) {
    const model = structuredClone(data);
    form = new Form(model, () => bar.setDirty(form.dirty));
    const bar = savebar({ onSave: save, onDiscard: () => render(data) });
    form.bar = bar;
    const stamp = data.updated_at && !data.updated_at.startsWith("0001") ? h("span", { class: "muted small", text: "Last saved " + new Date(data.updated_at).toLocaleString() }) : null;
    holder.replaceChildren(h("form", { class: "form", novalidate: true, onsubmit: (e) => (e.preventDefault(), save()) }, form.banner, cfg.build(form, model, aux)), bar);
    if (stamp) bar.prepend(stamp);
  }

  async function save() {
    form.bar.busy(true);
    try {
      const saved = await api.put(cfg.path, cfg.prepare ? cfg.prepare(structuredClone(form.model)) : api.body(form.model));
      form.dirty = false;
      toast("Settings saved");
      render(saved || form.model);
    } catch (e) {
      form.showError(e);
    } finally {
      form.bar.busy(false);
    }
  }

  render(doc);
  return { isDirty: () => form.dirty, save };
}
