// Customer tags: used by routing rules (business info) and by dispatch
// priority, where a tag's level 1–9 serves its customers first.

import { grid, resourcePage } from "../crud.js";
import { section } from "../form.js";
import { swatch } from "../ui.js";

export const presets = ["#d93f0b", "#e99695", "#fbca04", "#0e8a16", "#1d76db", "#5319e7", "#b60205", "#006b75", "#5b6475"];

export default (root, ctx) =>
  resourcePage(root, ctx, {
    title: "Customer tags",
    desc: "Tags of customers. Routing rules can match them, and a tag's priority level serves its customers first within a queue.",
    noun: "customer tag",
    path: "/customer-tags",
    sort: (a, b) => b.level - a.level || a.name.localeCompare(b.name),
    blank: () => ({ name: "", level: 0, color: "" }),
    row: (t) => ({ title: t.name, lead: swatch(t.color), badge: t.level ? "Level " + t.level : "No priority", badgeClass: t.level ? "pill-accent" : "" }),
    build: (f) =>
      section(
        "Tag",
        null,
        grid(
          f.text("name", "Name", { required: true, max: 50, placeholder: "VIP" }),
          f.select(
            "level",
            "Priority level",
            Array.from({ length: 10 }, (_, i) => [i, i === 0 ? "0 — no priority" : i === 9 ? "9 — served first" : String(i)]),
            { help: "Within a queue, customers with a higher level are served before others." },
          ),
        ),
        f.color("color", "Colour", { optional: true, presets }),
      ),
  });
