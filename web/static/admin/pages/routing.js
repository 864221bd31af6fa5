// Routing settings: how sessions reach agents, transfers, and the timers
// that remind or end waiting and silent chats.

import * as api from "../api.js";
import { grid } from "../crud.js";
import { section } from "../form.js";
import { settingsPage } from "../settings.js";

const channels = [
  ["web", "Web"],
  ["mini_program", "Mini program"],
  ["whatsapp", "WhatsApp"],
  ["sms", "SMS"],
  ["api", "API"],
];

export default (root) =>
  settingsPage(root, {
    title: "Routing",
    desc: "How sessions are assigned and transferred, and the timers that remind or end waiting and silent chats. Durations of 0 switch a timer off.",
    path: "/settings/routing",
    load: async () => {
      const [tags, plans] = await Promise.all([api.optionalItems("/session-tags"), api.optionalItems("/work-time-plans")]);
      return { tags, plans };
    },
    build: (f, model, aux) => {
      const tagOptions = [[0, "— no tag —"], ...aux.tags.map((t) => [t.id, t.name])];
      const planOptions = [[0, "Always"], ...aux.plans.map((p) => [p.id, p.name])];
      model.after_hours = model.after_hours || {};
      // "open_chat" and no entry both let the session wait as usual.
      for (const [ch, v] of Object.entries(model.after_hours)) if (v === "open_chat") model.after_hours[ch] = "";
      return [
        section(
          "Assignment",
          null,
          f.select("familiar_customer", "Familiar customers go to", [
            ["", "Any free agent"],
            ["last_agent", "The agent who served them last"],
            ["most_served", "The agent who served them most"],
          ]),
          f.toggle("only_work_hours", "Assign automatically only in a group's work hours"),
          f.toggle("only_online_agents", "Assign only to online agents", { help: "When off, logged-out agents receive sessions too. Busy and away agents never do." }),
        ),
        section(
          "Transfers",
          null,
          f.toggle("transfer_confirmation", "The receiving agent must accept a transfer"),
          grid(f.duration("transfer_timeout_seconds", "A transfer fails after", { unit: 1, help: "5 seconds to 1 hour." })),
          f.toggle("no_greeting_on_transfer", "No group greeting on transfers"),
        ),
        section(
          "Outside work hours",
          "What a session arriving outside its group's hours meets, per channel. Web plugins have their own setting.",
          grid(
            ...channels.map(([ch, label]) =>
              f.select(`after_hours.${ch}`, label, [
                ["", "Open the chat; it waits as usual"],
                ["leave_message", "Show the leave-message form"],
                ["message", "Send the after-hours notice"],
              ]),
            ),
          ),
        ),
        section(
          "Waiting in the queue",
          null,
          grid(
            f.duration("queue_reminder_seconds", "Remind every", { unit: 60 }),
            f.number("queue_reminders", "Reminders", { min: 0, max: 10, unit: "times" }),
            f.select("queue_reminder_plan_id", "Remind during", planOptions),
          ),
          f.text("queue_reminder_text", "Reminder text", { type: "textarea", rows: 2, max: 1000, placeholder: "Thanks for waiting — you are next in line soon." }),
          f.toggle("queue_reminder_leave_message", "Offer the leave-message form with each reminder"),
          grid(
            f.duration("queue_timeout_seconds", "Queue timeout", { unit: 60 }),
            f.select("queue_timeout_action", "On timeout", [
              ["end", "End the chat"],
              ["keep_waiting", "Tell the visitor to keep waiting"],
            ]),
          ),
          f.text("queue_timeout_text", "Timeout text", { type: "textarea", rows: 2, max: 1000 }),
          grid(f.select("queue_timeout_tag_id", "Tag chats ended by the timeout", tagOptions)),
        ),
        section(
          "Silence",
          null,
          grid(f.duration("agent_no_reply_seconds", "Agent has not answered for", { unit: 60, help: "Highlights the chat and alerts administrators." })),
          f.text("agent_no_reply_prompt", "Tell the visitor", { type: "textarea", rows: 2, max: 1000, placeholder: "Sorry for the wait, the agent will be right with you." }),
          grid(f.duration("visitor_no_reply_seconds", "Visitor has not answered for", { unit: 60 }), f.number("visitor_reminders", "Reminders before ending", { min: 0, max: 10, unit: "times" })),
          f.text("visitor_reminder_text", "Reminder text", { type: "textarea", rows: 2, max: 1000, placeholder: "Are you still there?" }),
          grid(f.select("visitor_no_reply_tag_id", "Tag chats ended for visitor silence", tagOptions)),
          grid(f.duration("inactive_seconds", "End chats where nobody wrote for", { unit: 60 }), f.select("inactive_tag_id", "Tag them", tagOptions)),
        ),
      ];
    },
    prepare: (m) => {
      const after = {};
      for (const [ch, v] of Object.entries(m.after_hours || {})) if (v) after[ch] = v;
      m.after_hours = after;
      delete m.updated_at;
      return m;
    },
  });
