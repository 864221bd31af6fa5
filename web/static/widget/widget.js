/*
 * Switchboard chat widget loader.
 *
 * Paste before </body>:
 *   <script src="BASE/widget.js" data-plugin="KEY" async></script>
 *
 * It adds a launcher button and opens the hosted chat page (BASE/chat/KEY)
 * in an iframe panel. The page tells the loader its theme colour and
 * invitation rules once loaded; the loader passes the page URL and an
 * optional verified identity (window.SwitchboardSettings = {userId,
 * userHash, name, email}) to it. The only global is window.Switchboard:
 * open(), close(), toggle(), hide(), show().
 */
(function () {
  'use strict';
  if (window.Switchboard && window.Switchboard.version) return;

  var script = document.currentScript;
  if (!script || !script.getAttribute('data-plugin')) {
    script = document.querySelector('script[data-plugin][src*="widget.js"]');
  }
  if (!script) return;
  var key = script.getAttribute('data-plugin');
  var src = new URL(script.src, location.href);
  var base = src.origin + src.pathname.replace(/\/widget\.js$/, '');
  var origin = src.origin;
  var NS = 'http://www.w3.org/2000/svg';
  var state = { open: false, hidden: false, ready: false, unread: 0, lastFocus: null };
  var mobile = window.matchMedia ? window.matchMedia('(max-width: 480px)') : { matches: false };

  var css = document.createElement('link');
  css.rel = 'stylesheet';
  css.href = base + '/static/widget/launcher.css';
  document.head.appendChild(css);

  function el(tag, cls, attrs) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    for (var k in attrs || {}) e.setAttribute(k, attrs[k]);
    return e;
  }
  function icon(paths) {
    var s = document.createElementNS(NS, 'svg');
    s.setAttribute('viewBox', '0 0 24 24');
    s.setAttribute('aria-hidden', 'true');
    s.setAttribute('focusable', 'false');
    paths.forEach(function (d) {
      var p = document.createElementNS(NS, 'path');
      p.setAttribute('d', d);
      s.appendChild(p);
    });
    return s;
  }

  var root = el('div', 'sbw-root sbw-loading', { 'data-switchboard': key });
  var panel = el('div', 'sbw-panel', { role: 'dialog', 'aria-label': 'Chat', 'aria-hidden': 'true', id: 'sbw-panel' });
  var frame = el('iframe', 'sbw-frame', {
    title: 'Chat with us',
    src: base + '/chat/' + encodeURIComponent(key) + '?embed=1',
    allow: 'clipboard-write',
    tabindex: '-1'
  });
  panel.appendChild(frame);

  var launcher = el('button', 'sbw-launcher', {
    type: 'button', 'aria-label': 'Open chat', 'aria-expanded': 'false', 'aria-controls': 'sbw-panel'
  });
  var chatIcon = icon(['M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H9l-4.3 3.4A.8.8 0 0 1 3.4 20.8V18H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2zm3 6.2a1.3 1.3 0 1 0 0 2.6 1.3 1.3 0 0 0 0-2.6zm5 0a1.3 1.3 0 1 0 0 2.6 1.3 1.3 0 0 0 0-2.6zm5 0a1.3 1.3 0 1 0 0 2.6 1.3 1.3 0 0 0 0-2.6z']);
  chatIcon.setAttribute('class', 'sbw-icon sbw-icon-chat');
  var closeIcon = icon(['M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12l5.6 5.6-1.4 1.4-5.6-5.6L6.4 19 5 17.6 10.6 12 5 6.4z']);
  closeIcon.setAttribute('class', 'sbw-icon sbw-icon-close');
  var badge = el('span', 'sbw-badge', { 'aria-hidden': 'true' });
  launcher.appendChild(chatIcon);
  launcher.appendChild(closeIcon);
  launcher.appendChild(badge);

  var invite = el('div', 'sbw-invite', { role: 'status', 'aria-live': 'polite' });
  var inviteText = el('button', 'sbw-invite-text', { type: 'button' });
  var inviteClose = el('button', 'sbw-invite-close', { type: 'button', 'aria-label': 'Dismiss invitation' });
  inviteClose.appendChild(icon(['M6.4 5 12 10.6 17.6 5 19 6.4 13.4 12l5.6 5.6-1.4 1.4-5.6-5.6L6.4 19 5 17.6 10.6 12 5 6.4z']));
  invite.appendChild(inviteText);
  invite.appendChild(inviteClose);

  root.appendChild(panel);
  root.appendChild(invite);
  root.appendChild(launcher);

  function post(msg) {
    msg.sb = 1;
    try { frame.contentWindow.postMessage(msg, origin); } catch (e) { /* frame gone */ }
  }
  function context() {
    var s = window.SwitchboardSettings || {};
    var identity = null;
    if (s.userId) identity = { user_id: String(s.userId), user_hash: String(s.userHash || ''), name: s.name || '', email: s.email || '' };
    else if (s.name || s.email) identity = { name: s.name || '', email: s.email || '' };
    post({ type: 'context', url: location.href, title: document.title, referrer: document.referrer, identity: identity });
  }

  function render() {
    root.classList.toggle('sbw-open', state.open);
    root.classList.toggle('sbw-hidden', state.hidden);
    root.classList.toggle('sbw-mobile', !!mobile.matches);
    panel.setAttribute('aria-hidden', state.open ? 'false' : 'true');
    launcher.setAttribute('aria-expanded', state.open ? 'true' : 'false');
    launcher.setAttribute('aria-label', state.open ? 'Close chat' : (state.unread ? 'Open chat, ' + state.unread + ' unread' : 'Open chat'));
    badge.textContent = state.unread > 9 ? '9+' : String(state.unread || '');
    root.classList.toggle('sbw-has-unread', state.unread > 0 && !state.open);
    if (mobile.matches) document.documentElement.classList.toggle('sbw-noscroll', state.open);
  }

  function open() {
    if (state.hidden) return;
    hideInvite(true);
    if (!state.open) state.lastFocus = document.activeElement;
    state.open = true;
    state.unread = 0;
    frame.removeAttribute('tabindex');
    render();
    context();
    post({ type: 'opened' });
    setTimeout(function () { try { frame.focus(); } catch (e) { /* ignore */ } }, 60);
  }
  function close() {
    if (!state.open) return;
    state.open = false;
    frame.setAttribute('tabindex', '-1');
    render();
    post({ type: 'closed' });
    var back = state.lastFocus && document.contains(state.lastFocus) ? state.lastFocus : launcher;
    if (back === document.body) back = launcher;
    try { back.focus(); } catch (e) { /* ignore */ }
  }

  // Invitations: after N seconds on a page, on pages whose URL contains a
  // text, or both; shown once per browser tab and plugin.
  var seenKey = 'sbw-invited-' + key;
  var timers = [];
  function seen() { try { return sessionStorage.getItem(seenKey) === '1'; } catch (e) { return false; } }
  function showInvite(text) {
    if (!seen()) showBubble(text);
  }
  // showBubble shows an invitation, or a preview of a new message, beside
  // the launcher.
  function showBubble(text) {
    if (state.open || state.hidden || !text) return;
    inviteText.textContent = text;
    root.classList.add('sbw-inviting');
  }
  function hideInvite(remember) {
    root.classList.remove('sbw-inviting');
    timers.forEach(clearTimeout);
    timers = [];
    if (remember) { try { sessionStorage.setItem(seenKey, '1'); } catch (e) { /* ignore */ } }
  }
  function scheduleInvitations(list) {
    (list || []).forEach(function (inv) {
      if (inv.url_contains && location.href.indexOf(inv.url_contains) < 0) return;
      var delay = Math.max(0, Number(inv.after_seconds) || 0) * 1000;
      timers.push(setTimeout(function () { showInvite(inv.text); }, Math.max(delay, 1500)));
    });
  }
  inviteText.addEventListener('click', open);
  inviteClose.addEventListener('click', function () { hideInvite(true); launcher.focus(); });

  function contrastText(hex) {
    var m = /^#?([0-9a-f]{6})$/i.exec(hex || '');
    if (!m) return '#fff';
    var n = parseInt(m[1], 16);
    var lin = [n >> 16, (n >> 8) & 255, n & 255].map(function (c) {
      c /= 255;
      return c <= 0.03928 ? c / 12.92 : Math.pow((c + 0.055) / 1.055, 2.4);
    });
    var lum = 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2];
    return lum > 0.45 ? '#111827' : '#ffffff';
  }
  function theme(color) {
    if (!/^#[0-9a-f]{6}$/i.test(color || '')) return;
    launcher.style.setProperty('background-color', color, 'important');
    launcher.style.setProperty('color', contrastText(color), 'important');
  }

  window.addEventListener('message', function (ev) {
    if (ev.source !== frame.contentWindow || ev.origin !== origin) return;
    var m = ev.data;
    if (!m || m.sb !== 1) return;
    switch (m.type) {
      case 'ready':
        if (m.error) { state.hidden = true; render(); return; }
        state.ready = true;
        theme(m.theme_color);
        if (m.title) launcher.setAttribute('title', m.title);
        root.classList.remove('sbw-loading');
        context();
        if (m.active) state.unread = m.unread || 0;
        else scheduleInvitations(m.invitations);
        render();
        break;
      case 'close': close(); break;
      case 'open': open(); break;
      case 'unread':
        if (!state.open) {
          state.unread = Math.max(0, m.count | 0);
          render();
          if (m.preview && typeof m.preview === 'string') showBubble(m.preview);
        }
        break;
    }
  });

  launcher.addEventListener('click', function () { state.open ? close() : open(); });
  root.addEventListener('keydown', function (ev) {
    if (ev.key === 'Escape' && state.open) { ev.preventDefault(); close(); }
  });
  if (mobile.addEventListener) mobile.addEventListener('change', render);
  // Show the launcher even if the page never answers (an old cached page).
  setTimeout(function () { root.classList.remove('sbw-loading'); }, 8000);

  function mount() {
    document.body.appendChild(root);
    render();
  }
  if (document.body) mount();
  else document.addEventListener('DOMContentLoaded', mount);

  window.Switchboard = {
    version: 1,
    open: open,
    close: close,
    toggle: function () { state.open ? close() : open(); },
    hide: function () { close(); hideInvite(false); state.hidden = true; render(); },
    show: function () { state.hidden = false; render(); },
    isOpen: function () { return state.open; }
  };
})();
