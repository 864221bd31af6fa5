// The chat log's messages: built from text nodes and checked URLs only.
import { h, linkify, clock, size, icon, icons } from './chat-render.js';

/**
 * renderMessage builds a message of the log. o gives the api (for
 * attachment URLs), the sender's name, the agent's avatar URL, onLoad
 * (an image loaded) and leaveMessage (the action of a reminder), if allowed.
 */
export function renderMessage(d, time, o) {
  const from = d.from === 'end_user' ? 'me' : d.from === 'system' ? 'sys' : 'them';
  const body = h('div', { class: 'bubble' });
  if (d.attachment && d.kind === 'image') {
    const full = '/api/v1/attachments/' + d.attachment.id;
    const img = h('img', { alt: d.attachment.name || 'Image' });
    img.addEventListener('load', () => o.onLoad && o.onLoad());
    o.api.blobURL(full + '/thumbnail').then((u) => { img.src = u; }, () => { img.alt = (d.attachment.name || 'Image') + ' (could not be loaded)'; });
    if (d.attachment.width && d.attachment.height) {
      const r = Math.min(1, 240 / Math.max(d.attachment.width, d.attachment.height));
      img.width = Math.round(d.attachment.width * r);
      img.height = Math.round(d.attachment.height * r);
    }
    body.appendChild(fetched(h('a', { class: 'image', href: full, target: '_blank', rel: 'noopener', 'aria-label': 'Open image ' + (d.attachment.name || '') }, img), o.api));
    body.classList.add('has-image');
  } else if (d.attachment) {
    body.appendChild(fetched(h('a', { class: 'file', href: '/api/v1/attachments/' + d.attachment.id, download: d.attachment.name || '' },
      icon(icons.file, 'file-icon'), h('span', { class: 'file-name' }, d.attachment.name || 'File'), h('span', { class: 'file-size' }, size(d.attachment.size))), o.api));
  }
  if (d.text) body.appendChild(linkify(h('p', { class: 'text' }), d.text));
  const li = h('li', { class: 'msg ' + from + (d.purpose ? ' purpose-' + d.purpose : ''), 'data-id': d.id || '' });
  if (from !== 'me') li.appendChild(h('span', { class: 'who' }, o.name));
  else li.appendChild(h('span', { class: 'sr-only' }, 'You said:'));
  li.appendChild(body);
  if (from === 'sys' && d.actions && d.actions.includes('leave_message') && o.leaveMessage) {
    body.appendChild(h('button', { type: 'button', class: 'btn small-btn', onclick: o.leaveMessage }, 'Leave a message'));
  }
  li.appendChild(h('span', { class: 'meta' }, time ? h('time', { datetime: time }, clock(time)) : ''));
  if (from === 'them') li.prepend(avatar(o.name, o.avatarURL || ''));
  return li;
}

// fetched makes a link to an attachment work without the token in its
// URL: the first click fetches the file with the token and follows the
// link to the file's object URL instead.
function fetched(a, api) {
  const path = a.getAttribute('href');
  let loading = null;
  a.addEventListener('click', (ev) => {
    if (a.href.startsWith('blob:')) return;
    ev.preventDefault();
    if (loading) return;
    loading = api.blobURL(path).then((u) => { a.href = u; a.click(); }, () => { a.title = 'The file could not be loaded.'; })
      .finally(() => { loading = null; });
  });
  return a;
}

// avatar is the agent's picture, or the first letter of their name.
function avatar(name, url) {
  const a = h('span', { class: 'avatar', 'aria-hidden': 'true' });
  if (url && /^(https:\/\/|\/)/.test(url)) {
    const img = h('img', { src: url, alt: '' });
    img.addEventListener('error', () => { img.remove(); a.textContent = name.charAt(0).toUpperCase(); });
    a.appendChild(img);
  } else a.textContent = name.charAt(0).toUpperCase();
  return a;
}
