// Satisfaction (CSAT) settings: when visitors are invited to rate a chat,
// how long they may, and what the rating form says.

import { grid } from "../crud.js";
import { section } from "../form.js";
import { settingsPage } from "../settings.js";
import { h } from "../ui.js";

export default (root) =>
  settingsPage(root, {
    title: "Satisfaction",
    desc: "How visitors are invited to rate chats, and the rating form they see.",
    path: "/settings/csat",
    build: (f, model) => {
      model.scores = model.scores && model.scores.length === 5 ? model.scores : [1, 2, 3, 4, 5].map((s) => ({ stars: s, text: "", tags: [] }));
      return [
        section(
          "Invitation",
          "Agents can always invite a rating from the desk.",
          f.toggle("auto_invite", "Invite a rating when a chat ends", { help: "Only when the agent did not invite and the visitor did not rate; never for chats the system ended on a timeout." }),
          grid(
            f.number("min_messages", "Minimum messages", { min: 0, max: 1000, unit: "messages after pick-up", help: "0 invites after any chat." }),
            f.duration("deadline_seconds", "Rating deadline", { help: "Ratings after this long are refused. 0: no deadline." }),
          ),
          f.toggle("skip_one_sided", "Skip one-sided chats", { help: "Invite only when both the visitor and an agent wrote in the last 50 messages." }),
        ),
        section(
          "Counting",
          null,
          f.radios("attribution", "A rating counts for", [
            ["all_agents", "Every agent of the chat"],
            ["last_agent", "Only the last agent"],
          ]),
          f.toggle("agents_see_ratings", "Agents see the ratings of their chats"),
        ),
        section(
          "Rating form",
          "What the visitor reads.",
          grid(f.text("solved_prompt", "“Solved?” question", { max: 200 }), f.text("score_prompt", "Score question", { max: 200 })),
          f.repeater("scores", "Scores", {
            fixed: true,
            cols: "70px 1fr 2fr auto",
            row: (b, i) => [
              h("div", { class: "stars", "aria-label": `${i + 1} star${i ? "s" : ""}`, text: "★".repeat(i + 1) }),
              f.text(b + ".text", "Text", { required: true, max: 100 }),
              f.chips(b + ".tags", "Tags the visitor may pick", { placeholder: "Add a tag" }),
            ],
          }),
          f.text("receipt", "Thank-you message", { type: "textarea", rows: 2, max: 1000, help: "Sent to the visitor after rating." }),
        ),
      ];
    },
  });
