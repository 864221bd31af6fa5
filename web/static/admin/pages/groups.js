// Skill groups: the queues sessions wait in, with their greeting,
// after-hours notice and work hours.

import * as api from "../api.js";
import { grid, resourcePage } from "../crud.js";
import { section } from "../form.js";

export default (root, ctx) =>
  resourcePage(root, ctx, {
    title: "Skill groups",
    desc: "Queues of sessions, each answered by its member agents during its work hours.",
    noun: "skill group",
    path: "/queues",
    sort: (a, b) => a.name.localeCompare(b.name),
    load: async () => {
      const [plans, agents] = await Promise.all([api.optionalItems("/work-time-plans"), api.optionalItems("/agents")]);
      return { plans, agents };
    },
    blank: () => ({ name: "", priority: 1, greeting: "", after_hours_notice: "", work_time_plan_id: 0, parent_id: 0 }),
    row: (q, aux) => {
      const n = (aux.agents || []).filter((a) => (a.groups || []).includes(q.id)).length;
      return { title: q.name, sub: n === 1 ? "1 member" : `${n} members`, badge: n ? null : "No members", badgeClass: "pill-warn" };
    },
    build: (f, model, aux, isNew, item) => {
      const others = (aux.list || []).filter((q) => q.id !== (item && item.id));
      return [
        section(
          "Group",
          null,
          grid(
            f.text("name", "Name", { required: true, max: 100, help: "Chinese or English letters and digits; unique." }),
            f.select("priority", "Priority", Array.from({ length: 8 }, (_, i) => [i + 1, String(i + 1)]), { help: "1 to 8." }),
            f.select("work_time_plan_id", "Work hours", [[0, "Always open"], ...aux.plans.map((p) => [p.id, p.name])]),
            f.select("parent_id", "Parent menu", [[0, "— none —"], ...others.map((q) => [q.id, q.name])]),
          ),
        ),
        section(
          "Messages",
          null,
          f.text("greeting", "Greeting", { type: "textarea", rows: 3, max: 1000, help: "Sent in work hours after the visitor's first message, or when a chat is transferred into the group." }),
          f.text("after_hours_notice", "After-hours notice", { type: "textarea", rows: 3, max: 1000, help: "Sent instead outside the group's work hours." }),
        ),
        !isNew && section("Members", null, memberList(aux, item)),
      ];
    },
  });

function memberList(aux, q) {
  const ms = (aux.agents || []).filter((a) => (a.groups || []).includes(q.id));
  const p = document.createElement("p");
  p.className = "help";
  p.textContent = ms.length ? ms.map((a) => a.name).join(", ") + ". Change membership on the Agents page." : "No agents yet: the group cannot receive transfers. Add members on the Agents page.";
  return p;
}
