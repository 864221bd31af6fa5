// The chat page's frame, built from the web plugin's public settings:
// theme colour, header, banner, sidebar, toolbar and quick buttons.
import { h, linkify, contrast, shade, icon, icons } from './chat-render.js';

const $ = (id) => document.getElementById(id);
const embed = new URLSearchParams(location.search).get('embed') === '1';
let cfg = {};
let actions = {};

/** canLeaveMessage reports whether visitors may leave a message now. */
export function canLeaveMessage(c) { return !!(c.offline_messages || !c.open); }

export function applyConfig(c, act) {
  cfg = c;
  actions = act;
  const color = /^#[0-9a-f]{6}$/i.test(c.theme_color || '') ? c.theme_color : '#2f6fed';
  const root = document.documentElement.style;
  root.setProperty('--brand', color);
  root.setProperty('--brand-text', contrast(color));
  root.setProperty('--brand-dark', shade(color, -0.18));
  root.setProperty('--brand-soft', shade(color, 0.9));
  // Text in the brand colour on white: darker for light brand colours.
  root.setProperty('--brand-ink', contrast(color) === '#ffffff' ? shade(color, -0.12) : shade(color, -0.6));
  document.title = c.title || c.name || 'Chat';
  $('title').textContent = c.title || c.name || 'Chat';
  if (c.logo_url && /^https?:\/\/|^\//.test(c.logo_url)) {
    $('logo').src = c.logo_url;
    $('logo').hidden = false;
    $('logo-fallback').hidden = true;
    $('logo').addEventListener('error', () => { $('logo').hidden = true; $('logo-fallback').hidden = false; });
  }
  $('logo-fallback').textContent = (c.name || c.title || 'C').trim().charAt(0).toUpperCase();
  if (c.banner) { $('banner').textContent = c.banner; $('banner').hidden = false; }
  presence();
  $('btn-close').hidden = !embed;
  document.body.classList.toggle('embed', embed);
  sidebar(c.sidebar || {});
  toolbar(c.toolbar || []);
  quickButtons(c.quick_buttons || []);
}

export function presence(text) {
  const c = cfg;
  let t = text;
  let on = false;
  if (!t) {
    if (c.routed === false) t = 'Chat is not available right now';
    else if (!c.open) t = 'We are away right now';
    else if (c.hide_agent_status) { t = 'We typically reply in a few minutes'; on = true; } else if (c.agents_online > 0) { t = 'We are online'; on = true; } else t = 'We will reply as soon as we can';
  } else on = true;
  $('presence').textContent = t;
  $('presence-dot').className = 'dot' + (on ? ' on' : '');
}

// ---- sidebar, toolbar, quick buttons -------------------------------------

function sidebar(sb) {
  const faq = sb.faq || [];
  const self = sb.self_service || [];
  if (!faq.length && !self.length && !sb.menu_url) return;
  document.body.classList.add('has-sidebar');
  $('btn-help').hidden = false;
  if (self.length) {
    $('self-service').hidden = false;
    for (const q of self) {
      $('self-service-list').appendChild(h('li', null, h('button', { type: 'button', class: 'chip', onclick: () => { toggleSidebar(false); actions.send(q); } }, q)));
    }
  }
  if (faq.length) {
    $('faq').hidden = false;
    for (const f of faq) {
      $('faq-list').appendChild(h('details', { class: 'faq-item' }, h('summary', null, f.question), linkify(h('p'), f.answer || '')));
    }
  }
  if (sb.menu_url && /^https?:\/\//i.test(sb.menu_url)) {
    $('menu-link').href = sb.menu_url;
    $('menu-link').hidden = false;
  }
}

export function toggleSidebar(force) {
  const open = force ?? !document.body.classList.contains('sidebar-open');
  document.body.classList.toggle('sidebar-open', open);
  $('sidebar').hidden = !open && !wideSidebar();
  $('btn-help').setAttribute('aria-expanded', String(open));
  if (open) $('sidebar-close').focus();
  else if (force === undefined || force === false) $('btn-help').focus();
}
const wideSidebar = () => !embed && window.matchMedia('(min-width: 820px)').matches;
export function layoutSidebar() {
  if (!document.body.classList.contains('has-sidebar')) return;
  $('sidebar').hidden = !(wideSidebar() || document.body.classList.contains('sidebar-open'));
  $('btn-help').hidden = wideSidebar();
}

const toolLabels = { emoji: 'Insert emoji', image: 'Send an image', attachment: 'Attach a file', rating: 'Rate this chat', message: 'Leave a message' };
function toolbar(tools) {
  const bar = $('toolbar');
  for (const t of tools) {
    if (!toolLabels[t]) continue;
    if (t === 'message' && !canLeaveMessage(cfg)) continue;
    bar.appendChild(h('button', { type: 'button', class: 'tool', 'data-tool': t, 'aria-label': toolLabels[t], title: toolLabels[t], onclick: (ev) => actions.tool(t, ev.currentTarget) }, icon(icons[t])));
  }
  bar.hidden = !bar.children.length;
}

const quickLabels = { human: 'Talk to a person', rate: 'Rate us', leave_message: 'Leave a message' };
function quickButtons(list) {
  const q = $('quick');
  for (const b of list) {
    if (!quickLabels[b]) continue;
    if (b === 'leave_message' && !canLeaveMessage(cfg)) continue;
    q.appendChild(h('button', { type: 'button', class: 'quick-btn', 'data-quick': b, onclick: () => actions.quick(b) }, icon(icons[b === 'leave_message' ? 'message' : b === 'rate' ? 'rating' : 'human']), quickLabels[b]));
  }
  q.hidden = !q.children.length;
}
