// Users: the people who log in to the desk and the console, with their
// role, the agent an agent user acts as, and password resets.

import * as api from "../api.js";
import { grid, resourcePage } from "../crud.js";
import { section } from "../form.js";

const roles = [
  ["agent", "Agent", "Works chats in the desk."],
  ["supervisor", "Supervisor", "Sees every chat and report, and handles offline messages."],
  ["admin", "Administrator", "Everything, including this console."],
];

export default (root, ctx) =>
  resourcePage(root, ctx, {
    title: "Users",
    desc: "People who log in to the desk and this console.",
    noun: "user",
    path: "/users",
    sort: (a, b) => (a.name || a.email).localeCompare(b.name || b.email),
    load: async () => ({ agents: await api.optionalItems("/agents") }),
    blank: () => ({ email: "", name: "", role: "agent", agent_id: 0, disabled: false, password: "" }),
    row: (u) => ({
      title: u.name || u.email,
      sub: u.email,
      badge: u.disabled ? "Disabled" : (roles.find((r) => r[0] === u.role) || [u.role, u.role])[1],
      badgeClass: u.disabled ? "pill-danger" : u.role === "admin" ? "pill-accent" : "",
    }),
    prepare: (m, isNew) => {
      const out = api.body(m);
      if (!out.password) delete out.password;
      if (out.role !== "agent") delete out.agent_id;
      return out;
    },
    build: (f, model, aux, isNew) => {
      const taken = new Set(aux.list.filter((u) => u.id !== model.id && u.agent_id).map((u) => u.agent_id));
      const agentOptions = aux.agents.map((a) => [a.id, `${a.name} <${a.email}>` + (taken.has(a.id) ? " — has a login" : "")]);
      const agentField = f.select("agent_id", "Acts as agent", [[0, "— choose an agent —"], ...agentOptions], {
        help: "The agent's sessions, status and quick replies are this user's.",
      });
      agentField.hidden = model.role !== "agent";
      return [
        section("Account", null, grid(f.text("name", "Name", { max: 100, placeholder: "Ada Lovelace" }), f.text("email", "E-mail", { type: "email", required: true, placeholder: "ada@example.com", help: "Used to log in; unique." }))),
        section("Role", null, f.radios("role", "Role", roles, { onchange: (r) => (agentField.hidden = r !== "agent") }), agentField),
        section(
          isNew ? "Password" : "Reset password",
          null,
          grid(
            f.text("password", isNew ? "Password" : "New password", {
              type: "password",
              required: isNew,
              autocomplete: "new-password",
              help: isNew ? "At least 8 characters. Tell the user, or let them change it after logging in." : "Leave empty to keep the current password. At least 8 characters.",
            }),
          ),
          !isNew && f.toggle("disabled", "Disabled", { help: "A disabled user cannot log in; their history stays." }),
        ),
      ];
    },
  });
