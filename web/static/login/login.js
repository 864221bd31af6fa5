// The login page: signs in with e-mail and password and goes on to the
// page that sent the user here (the desk by default).
import { login, me, describe } from '/static/common/api.js';

const form = document.getElementById('login-form');
const errBox = document.getElementById('login-error');
const submit = document.getElementById('login-submit');

function next() {
  const n = new URLSearchParams(location.search).get('next') || '';
  // Only paths on this site: never an absolute or protocol-relative URL.
  return n.startsWith('/') && !n.startsWith('//') && !n.startsWith('/\\') ? n : '/desk';
}

function home(role) {
  const n = next();
  if (n !== '/desk') return n;
  return role === 'admin' ? '/admin' : '/desk';
}

// Already signed in: go on at once.
me().then((m) => { if (m && m.role) location.replace(home(m.role)); }).catch(() => {});

form.addEventListener('submit', async (ev) => {
  ev.preventDefault();
  errBox.hidden = true;
  const email = form.email.value.trim();
  const password = form.password.value;
  if (!email || !password) {
    errBox.textContent = 'Enter your e-mail and password.';
    errBox.hidden = false;
    return;
  }
  submit.disabled = true;
  submit.textContent = 'Signing in…';
  try {
    const out = await login(email, password);
    location.replace(home(out.user && out.user.role));
  } catch (e) {
    errBox.textContent = describe(e);
    errBox.hidden = false;
    form.password.select();
  } finally {
    submit.disabled = false;
    submit.textContent = 'Sign in';
  }
});
