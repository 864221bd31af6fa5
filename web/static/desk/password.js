// Change my password (the "me" menu): the current password and a new one.
// The server checks the current one and the password rules, and signs the
// user's other browsers out; this login stays.

import { put, toast, describe } from '/static/common/api.js';

const $ = (s) => document.querySelector(s);
const labels = { current_password: 'Current password', new_password: 'New password' };

// sentence words a refusal that names a field ("current_password is
// wrong") with the field's label.
function sentence(err) {
  const m = /^(current_password|new_password)(:?)\s*(.*)$/.exec((err && err.message) || '');
  if (!m) return describe(err);
  return m[2] ? m[3].charAt(0).toUpperCase() + m[3].slice(1) : labels[m[1]] + ' ' + m[3];
}

/** openPassword shows the dialog with empty fields. */
export function openPassword() {
  const dlg = $('#dlg-password');
  $('#password-form').reset();
  $('#pw-error').hidden = true;
  dlg.showModal();
  $('#pw-current').focus();
}

$('#pw-cancel').onclick = () => $('#dlg-password').close();
$('#password-form').onsubmit = async (e) => {
  e.preventDefault();
  const save = $('#pw-save');
  save.disabled = true;
  try {
    await put('/api/v1/me/password', { current_password: $('#pw-current').value, new_password: $('#pw-new').value });
    $('#dlg-password').close();
    toast('Password changed');
  } catch (err) {
    $('#pw-error').textContent = sentence(err);
    $('#pw-error').hidden = false;
  } finally {
    save.disabled = false;
  }
};
