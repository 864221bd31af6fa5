// The reports' definitions for the console: each report's title, the
// query filters it takes and its table's columns, with the formats the
// page shows values in (durations as seconds or h:mm:ss, rates as
// percentages with one decimal, as the CSV does).

export const channels = [
  ["web", "Web"],
  ["whatsapp", "WhatsApp"],
  ["sms", "SMS"],
  ["mini_program", "Mini program"],
  ["mobile", "Mobile app"],
  ["api", "API"],
  ["pstn", "Phone"],
];

const workload = [
  ["sessions", "Sessions picked up", "n"],
  ["pick_ups", "Pick-ups", "n"],
  ["accessed_first", "Accessed first", "n"],
  ["transfers_in", "Transferred in", "n"],
  ["transfers_out", "Transferred out", "n"],
  ["ended", "Sessions ended", "n"],
  ["duration", "Total session duration", "ms"],
  ["avg_duration", "Average session duration", "ms"],
  ["hold", "Hold time", "ms"],
  ["handle", "Handle time", "ms"],
];

const satisfaction = [
  ["valid", "Valid human sessions", "n"],
  ["invalid", "Invalid sessions", "n"],
  ["ended", "Sessions ended", "n"],
  ["first_response", "Total first response time", "ms"],
  ["avg_first_response", "Average first response time", "ms"],
  ["avg_response", "Average response time", "ms"],
  ["ratings", "Total ratings", "n"],
  ["invited", "Invitations", "n"],
  ["invite_success", "Invitation success", "n"],
  ["participation_rate", "Participation rate", "rate"],
  ["avg_score", "Average score", "score"],
];

const agent = ["agent_name", "Agent", "agent"];
const group = ["group_name", "Skill group", "group"];

/** reports lists the reports in the order the page offers them. */
export const reports = [
  {
    name: "agent-workload",
    title: "Agent workload",
    desc: "Sessions each agent picked up, served, transferred and ended (a transferred session counts once for each agent who handled it).",
    filters: ["agents", "groups"],
    columns: [agent, ...workload],
  },
  {
    name: "agent-satisfaction",
    title: "Agent satisfaction",
    desc: "Valid sessions, response times, rating invitations and ratings of each agent.",
    filters: ["agents", "groups"],
    columns: [agent, ...satisfaction],
  },
  {
    name: "group-workload",
    title: "Skill-group workload",
    desc: "The workload columns per skill group; transfers in and out leave overflow out.",
    filters: ["groups"],
    columns: [group, ...workload],
  },
  {
    name: "group-satisfaction",
    title: "Skill-group satisfaction",
    desc: "The satisfaction columns per skill group.",
    filters: ["groups"],
    columns: [group, ...satisfaction],
  },
  {
    name: "queues",
    title: "Skill-group queues",
    desc: "Waits longer than the threshold in each group's queue, how they ended, and abandon rates over all human inbound waits. Click a queue count for the sessions behind it.",
    filters: ["groups", "threshold"],
    columns: [
      group,
      ["count", "Queue count", "queue"],
      ["avg_queue", "Average queue time", "ms"],
      ["successes", "Queue successes", "n"],
      ["avg_success_queue", "Average successful queue time", "ms"],
      ["abandons", "Queue abandons", "n"],
      ["avg_abandon_queue", "Average abandon time", "ms"],
      ["abandon_rate", "Abandon rate", "rate"],
      ["visitor_abandons", "Visitor abandons", "n"],
      ["avg_visitor_abandon_queue", "Average visitor abandon time", "ms"],
      ["visitor_abandon_rate", "Visitor abandon rate", "rate"],
    ],
  },
  {
    name: "channels",
    title: "Channels",
    desc: "Inquiries of each channel (transfers excluded) and how they ended, session and queue times, ratings.",
    filters: ["groups"],
    columns: [
      ["channel", "Channel", "channel"],
      ["inquiries", "Inquiries", "n"],
      ["picked_up", "Picked up", "n"],
      ["pick_up_rate", "Pick-up rate", "rate"],
      ["abandoned", "Abandoned", "n"],
      ["abandon_rate", "Abandon rate", "rate"],
      ["dropped", "Dropped", "n"],
      ["drop_rate", "Drop rate", "rate"],
      ["avg_duration", "Average session duration", "ms"],
      ["avg_queue", "Average queue time", "ms"],
      ["ratings", "Total ratings", "n"],
      ["invited", "Invitations", "n"],
      ["participation_rate", "Participation rate", "rate"],
    ],
  },
  {
    name: "transfers",
    title: "Transfers",
    desc: "Every transfer with its target, whether it was picked up, and how long it took. Click a session to see it.",
    filters: ["kind", "fromAgents", "success"],
    paged: true,
    columns: [
      ["date", "Date", "text"],
      ["session_id", "Session", "session"],
      ["visitor", "Visitor", "text"],
      ["from_agent_name", "Transferring agent", "text"],
      ["at", "Transfer-out time", "time"],
      ["kind", "Type", "kind"],
      ["target", "Target", "target"],
      ["success", "Success", "bool"],
      ["picked_up_at", "Pick-up time", "time"],
      ["queue", "Queue time after transfer", "ms"],
      ["duration", "Transfer duration", "ms"],
      ["failed_at", "Failure time", "time"],
      ["failure", "Give-up or drop duration", "ms"],
    ],
  },
  {
    name: "service-level",
    title: "Service level",
    desc: "By interval: the share of waits answered within the target (short abandons left out), the average speed of answer and abandons.",
    filters: ["groups", "interval", "within", "shortAbandon"],
    columns: [
      ["start", "Interval (UTC)", "time"],
      ["offered", "Offered", "n"],
      ["answered", "Answered", "n"],
      ["answered_within", "Within target", "n"],
      ["service_level", "Service level", "rate"],
      ["avg_answer", "Average speed of answer", "ms"],
      ["abandoned", "Abandoned", "n"],
      ["short_abandons", "Short abandons", "n"],
      ["abandon_rate", "Abandon rate", "rate"],
      ["longest_wait", "Longest wait", "ms"],
    ],
  },
];

/** fmtMS shows milliseconds: "12.3 s" under a minute, h:mm:ss above. */
export function fmtMS(ms) {
  if (ms === null || ms === undefined) return "—";
  if (Math.abs(ms) < 60000) return (Math.round(ms / 100) / 10).toFixed(1) + " s";
  const s = Math.round(ms / 1000);
  const hh = Math.floor(s / 3600);
  const mm = Math.floor((s % 3600) / 60);
  const ss = s % 60;
  return hh + ":" + String(mm).padStart(2, "0") + ":" + String(ss).padStart(2, "0");
}

/** fmtRate shows a fraction as a percentage with one decimal. */
export function fmtRate(f) {
  if (f === null || f === undefined) return "—";
  return (Math.round(f * 1000) / 10).toFixed(1) + "%";
}

/** fmtTime shows an RFC 3339 time in UTC, to the second. */
export function fmtTime(iso) {
  if (!iso) return "—";
  return iso.slice(0, 19).replace("T", " ");
}

/** channelName is a channel's label. */
export function channelName(c) {
  const found = channels.find(([v]) => v === c);
  return found ? found[1] : c;
}
