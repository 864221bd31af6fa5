// Chat feature settings: the system messages visitors receive, what the
// desk lets agents do, wrap-up codes and the attachment limit.

import { grid } from "../crud.js";
import { section } from "../form.js";
import { settingsPage } from "../settings.js";
import { h } from "../ui.js";

const MiB = 1 << 20;

// systemText is a switch with the message it turns on.
function systemText(f, path, label, help, placeholder) {
  const text = f.text(path + ".text", label + " text", { type: "textarea", rows: 2, max: 1000, placeholder, cls: "no-label" });
  text.hidden = !f.get(path + ".enabled");
  return h("div", { class: "system-text" }, f.toggle(path + ".enabled", label, { help, onchange: (on) => (text.hidden = !on) }), text);
}

export default (root) =>
  settingsPage(root, {
    title: "Chat features",
    desc: "The messages the system sends in chats and what the desk lets agents do.",
    path: "/settings/chat",
    build: (f) => [
      section(
        "System messages",
        "Sent by the dispatcher on behalf of your team.",
        f.text("dispatcher_nickname", "Dispatcher nickname", { required: true, max: 50, help: "Shown to visitors while they wait, and as the sender of the welcome message." }),
        systemText(f, "welcome", "Welcome message", "When a chat starts, before the visitor writes.", "Hi! Thanks for reaching out."),
        systemText(f, "company_greeting", "Company greeting", "After the visitor's first message.", "Thanks — an agent will be with you shortly."),
        systemText(f, "no_free_agent", "No free agent notice", "When the chat has to wait because every agent is busy.", "All our agents are busy; you are in the queue."),
        systemText(f, "closing", "Closing message", "When the chat ends.", "Thanks for chatting with us. Have a good day!"),
      ),
      section(
        "What visitors see",
        null,
        f.toggle("show_agent_nickname", "Show agents' nicknames instead of their names"),
        f.toggle("hide_agent_status", "Hide whether agents are online"),
        f.select(
          "visitor_nickname",
          "Anonymous visitors are named by",
          [
            ["date", "Date and number (2026-11-23 #12)"],
            ["region", "Region"],
            ["network", "Network"],
            ["all", "Region, network and date"],
          ],
          { help: "How the desk names visitors who did not give their name." },
        ),
      ),
      section(
        "Desk",
        null,
        f.toggle("new_message_to_top", "New visitor messages move the chat to the top"),
        f.toggle("agents_may_pin", "Agents may pin chats"),
        f.toggle("agents_may_view_waiting", "Agents may open waiting chats before accepting them"),
        f.toggle("show_visitor_name", "Show the visitor's name instead of the nickname"),
        f.toggle("count_from_last_message", "Count an agent's chat time from the last message of either side"),
        f.chips("disposition_codes", "Disposition codes", { placeholder: "Add a code, e.g. Resolved", help: "The wrap-up codes agents choose from when a chat ends." }),
      ),
      section("Attachments", null, grid(f.number("max_upload_bytes", "Largest upload", { min: 1, max: 100, scale: MiB, unit: "MiB", help: "Images and files visitors and agents send, up to 100 MiB." }))),
    ],
  });
