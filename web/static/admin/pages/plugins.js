// Web plugins: the chat widget a site embeds with a script snippet or links
// to as a hosted page, with its look, sidebar, buttons, after-hours
// behaviour, invitation rules and identity-verification secret.

import * as api from "../api.js";
import { grid, resourcePage } from "../crud.js";
import { section } from "../form.js";
import { copyText, h, icon } from "../ui.js";

const buttons = [
  ["human", "Talk to a person"],
  ["rate", "Rate"],
  ["leave_message", "Leave a message"],
];
const tools = [
  ["emoji", "Emoji"],
  ["image", "Image"],
  ["attachment", "Attachment"],
  ["rating", "Rating"],
  ["message", "Leave a message"],
];
const themes = ["#2f6fed", "#0e8a16", "#d93f0b", "#5319e7", "#006b75", "#1d2330", "#c2185b"];

// preview draws the top of the visitor's chat window from the model.
function preview(model) {
  const box = h("div", { class: "preview", "aria-label": "Preview of the chat window" });
  const draw = () => {
    const head = h("div", { class: "preview-head" });
    head.style.background = /^#[0-9a-f]{6}$/i.test(model.theme_color || "") ? model.theme_color : "";
    const logo = h("span", { class: "preview-logo" });
    if (model.logo_url && /^https?:\/\//.test(model.logo_url)) {
      const img = h("img", { class: "preview-logo", alt: "", src: model.logo_url });
      img.addEventListener("error", () => img.replaceWith(logo));
      head.append(img);
    } else head.append(logo);
    head.append(h("div", {}, h("div", { class: "preview-title", text: model.title || model.name || "Chat with us" }), model.banner && h("div", { class: "preview-banner", text: model.banner })));
    const btns = h(
      "div",
      { class: "preview-buttons" },
      (model.quick_buttons || []).map((b) => {
        const s = h("span", { text: (buttons.find((x) => x[0] === b) || [b, b])[1] });
        s.style.color = s.style.borderColor = head.style.background || "";
        return s;
      }),
    );
    box.replaceChildren(head, h("div", { class: "preview-body" }, h("div", { class: "preview-bubble", text: "Hello! How can we help you today?" }), btns));
  };
  draw();
  box.redraw = draw;
  return box;
}

function codeRow(text, what) {
  return h("div", { class: "code-row" }, h("code", { class: "code", text }), h("button", { type: "button", onclick: () => copyText(text, what) }, icon("copy"), "Copy"));
}

// embed shows the snippet and the hosted link of a saved plugin.
function embed(p) {
  const box = h("div", { class: "section-body" }, h("p", { class: "muted", text: "Loading the embed code…" }));
  const fallback = {
    script: `<script src="${location.origin}/widget.js" data-plugin="${p.key}" async></script>`,
    link: `${location.origin}/chat/${p.key}`,
  };
  api
    .get(`/web-plugins/${p.id}/embed`)
    .catch(() => fallback)
    .then((e) => {
      box.replaceChildren(
        h("div", { class: "field" }, h("div", { class: "label", text: "Script snippet" }), codeRow(e.script, "Script snippet"), h("div", { class: "help", text: "Paste it before the closing </body> tag of every page that should show the chat button." })),
        h(
          "div",
          { class: "field" },
          h("div", { class: "label", text: "Hosted chat page" }),
          codeRow(e.link, "Link"),
          h("div", { class: "help" }, "Link to it from a menu, an e-mail or an app. ", h("a", { href: e.link, target: "_blank", rel: "noopener", text: "Open the page" })),
        ),
      );
    });
  return h("section", { class: "form-section" }, h("div", { class: "section-head" }, h("h3", { text: "Embed code" })), box);
}

// secret shows the identity secret hidden, with reveal and copy buttons.
function secret(p) {
  if (!p.identity_secret) return null;
  const input = h("input", { type: "password", class: "secret", value: p.identity_secret, readonly: true, autocomplete: "off", "aria-label": "Identity secret" });
  const reveal = h("button", { type: "button", "aria-pressed": "false" }, icon("eye"), "Reveal");
  reveal.addEventListener("click", () => {
    const show = input.type === "password";
    input.type = show ? "text" : "password";
    reveal.setAttribute("aria-pressed", String(show));
    reveal.lastChild.textContent = show ? "Hide" : "Reveal";
  });
  return section(
    "Identity verification",
    "Lets your site vouch for logged-in customers.",
    h("div", { class: "field" }, h("div", { class: "label", text: "Identity secret" }), h("div", { class: "code-row" }, input, reveal, h("button", { type: "button", onclick: () => copyText(p.identity_secret, "Secret") }, icon("copy"), "Copy"))),
    h(
      "p",
      { class: "help" },
      "Your server passes user_id and user_hash = hex(HMAC-SHA256(secret, user_id)) to the widget; the visitor is then verified as that user. Keep the secret on your server — never in page code.",
    ),
  );
}

export default (root, ctx) =>
  resourcePage(root, ctx, {
    title: "Web plugins",
    desc: "Chat widgets for your websites. Each has its own look and behaviour, and its own embed code.",
    noun: "web plugin",
    path: "/web-plugins",
    sort: (a, b) => a.name.localeCompare(b.name),
    load: async () => {
      const [templates, queues] = await Promise.all([api.optionalItems("/leave-message-templates"), api.optionalItems("/queues")]);
      return { templates, queues };
    },
    blank: () => ({
      name: "",
      title: "Chat with us",
      theme_color: "#2f6fed",
      banner: "",
      logo_url: "",
      entry: "",
      queue_id: 0,
      sidebar: { faq: [], self_service: [], menu_url: "" },
      quick_buttons: ["human", "leave_message"],
      toolbar: ["emoji", "image", "attachment"],
      after_hours: "leave_message",
      after_hours_text: "",
      offline_messages: true,
      leave_message_template_id: 0,
      invitations: [],
    }),
    row: (p) => {
      const dot = h("span", { class: "swatch" });
      dot.style.background = p.theme_color || "";
      return { title: p.name, sub: p.title, lead: dot };
    },
    build: (f, model, aux, isNew, item) => {
      model.sidebar = model.sidebar || {};
      const pv = preview(model);
      const afterText = f.text("after_hours_text", "After-hours message", { type: "textarea", rows: 2, placeholder: "We are closed now. Our hours are 9:00–18:00, Monday to Friday." });
      afterText.hidden = model.after_hours !== "message";
      const tpl = [[0, "Default template"], ...aux.templates.map((t) => [t.id, t.name + (t.default ? " (default)" : "")])];
      const nodes = [
        !isNew && embed(item),
        section(
          "Appearance",
          "What visitors see at the top of the chat window.",
          h(
            "div",
            { class: "grid" },
            h("div", { class: "section-body" }, f.text("name", "Name", { required: true, max: 100, placeholder: "Main website", help: "For your own lists; visitors do not see it." }), f.text("title", "Title", { required: true, max: 100 }), f.text("banner", "Banner", { max: 500, placeholder: "We usually answer within a minute" })),
            h("div", { class: "field" }, h("div", { class: "label", text: "Preview" }), pv),
          ),
          f.text("logo_url", "Logo URL", { type: "url", placeholder: "https://example.com/logo.png", help: "An https address of a square image." }),
          f.color("theme_color", "Theme colour", { presets: themes }),
        ),
        section(
          "Chat window",
          null,
          f.checks("quick_buttons", "Quick buttons", buttons, { help: "Buttons above the input box." }),
          f.checks("toolbar", "Toolbar", tools),
        ),
        section(
          "Routing",
          "Where the plugin's chats wait for an agent.",
          f.select("queue_id", "Skill group", [[0, "— none: routing rules only —"], ...aux.queues.map((q) => [q.id, q.name])], {
            help: aux.queues.length ? "Chats go to this group when no routing rule matches them." : "There are no skill groups yet: add one under Skill groups.",
          }),
          f.text("entry", "Entry", { max: 200, placeholder: "website-pricing", help: "Routing rules that match this entry send the plugin's chats to their group first." }),
        ),
        section(
          "Sidebar",
          "A read-only panel beside the chat.",
          f.repeater("sidebar.faq", "Frequently asked questions", {
            cols: "1fr 1.6fr auto",
            blank: () => ({ question: "", answer: "" }),
            row: (b) => [f.text(b + ".question", "Question", { required: true }), f.text(b + ".answer", "Answer", { type: "textarea", rows: 2, required: true })],
            addLabel: "Add question",
            empty: "No questions.",
          }),
          f.lines("sidebar.self_service", "Self-service questions", { rows: 3, placeholder: "Where is my order?\nHow do I reset my password?", help: "One per line; a visitor sends one with a click." }),
          f.text("sidebar.menu_url", "Menu page URL", { type: "url", placeholder: "https://example.com/help" }),
        ),
        section(
          "Availability",
          null,
          f.radios(
            "after_hours",
            "Outside work hours",
            [
              ["leave_message", "Show the leave-message form"],
              ["message", "Show a message"],
              ["open_chat", "Open the chat anyway", "Chats wait in the queue until agents are back."],
            ],
            { onchange: (v) => (afterText.hidden = v !== "message") },
          ),
          afterText,
          f.toggle("offline_messages", "Visitors may leave a message during a chat", { help: "Shows the leave-message button while a chat waits or runs." }),
          f.select("leave_message_template_id", "Leave-message template", tpl),
        ),
        section(
          "Auto-invitation",
          "Open an invitation to chat on its own.",
          f.repeater("invitations", "Rules", {
            cols: "0.7fr 1fr 1.6fr auto",
            blank: () => ({ after_seconds: 30, url_contains: "", text: "" }),
            row: (b) => [
              f.number(b + ".after_seconds", "After (seconds)", { min: 0 }),
              f.text(b + ".url_contains", "On pages whose URL contains", { placeholder: "/pricing" }),
              f.text(b + ".text", "Invitation text", { required: true, placeholder: "Questions about our plans? We are here." }),
            ],
            addLabel: "Add rule",
            empty: "No rules: the chat opens only when a visitor clicks the button.",
            help: "A rule with both a time and a URL needs both.",
          }),
        ),
        !isNew && secret(item),
      ];
      queueMicrotask(() => pv.closest("form")?.addEventListener("input", pv.redraw));
      queueMicrotask(() => pv.closest("form")?.addEventListener("change", pv.redraw));
      return nodes;
    },
  });
