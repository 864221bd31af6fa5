// Agents: who works chats, in which skill groups, and how many at once.

import * as api from "../api.js";
import { grid, resourcePage } from "../crud.js";
import { section } from "../form.js";

const statusClass = { online: "pill-ok", invisible: "pill-ok", busy: "pill-warn", away: "pill-warn" };

export default (root, ctx) =>
  resourcePage(root, ctx, {
    title: "Agents",
    desc: "The people who answer chats and calls, their skill groups and how many sessions they take at once.",
    noun: "agent",
    path: "/agents",
    noDelete: true,
    sort: (a, b) => a.name.localeCompare(b.name),
    load: async () => ({ queues: api.items(await api.get("/queues")) }),
    blank: () => ({ name: "", nickname: "", first_name: "", last_name: "", email: "", avatar_url: "", groups: [], max_concurrent: 5 }),
    row: (a) => ({ title: a.name, sub: a.email, badge: a.status || "offline", badgeClass: statusClass[a.status] || "" }),
    prepare: (m) => {
      const out = api.body(m);
      delete out.status;
      delete out.status_since;
      if (!out.agent_number) delete out.agent_number;
      return out;
    },
    build: (f, model, aux) => [
      section(
        "Agent",
        null,
        grid(
          f.text("name", "Name", { required: true, max: 100 }),
          f.text("nickname", "Nickname", { max: 100, help: "Shown to visitors when the chat settings say so." }),
          f.text("first_name", "First name", { max: 100 }),
          f.text("last_name", "Last name", { max: 100 }),
          f.text("email", "E-mail", { type: "email", required: true }),
          f.number("agent_number", "Agent number", { min: 0 }),
        ),
        f.text("avatar_url", "Avatar URL", { type: "url", placeholder: "https://example.com/ada.png" }),
      ),
      section(
        "Work",
        null,
        f.checks(
          "groups",
          "Skill groups",
          aux.queues.map((q) => [q.id, q.name]),
          { help: aux.queues.length ? "The queues this agent takes sessions from." : "There are no skill groups yet." },
        ),
        grid(f.number("max_concurrent", "Sessions at once", { min: 1, max: 99, help: "1 to 99; beyond it visitors wait in the queue." })),
      ),
    ],
  });
