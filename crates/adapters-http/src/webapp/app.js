// Clientele web app: a small client of the /api endpoints (no framework, no build step).
// Server data reaches the page only through textContent and input values, never as HTML.

const $main = document.getElementById('main');
const $alert = document.getElementById('alert');
const $bar = document.getElementById('session');
const $dialog = document.getElementById('dialog');
const PAGE = 20;
const NET = 'Could not reach the server. Check your connection and try again.';
const STATUS_TEXT = {
  413: 'The request is too large.', 429: 'Too many requests. Try again in a moment.',
  500: 'Something went wrong on the server.', 503: 'The service is unavailable. Try again in a moment.',
};

class ApiError extends Error {
  constructor(status, body) {
    const b = body && typeof body === 'object' && !Array.isArray(body) ? body : {};
    super(typeof b.error === 'string' ? b.error
      : status ? STATUS_TEXT[status] || `The request failed (HTTP ${status}).` : NET);
    this.status = status;
    this.body = b;
    this.code = b.code || '';
  }
}

let signedInPage = false;
let gen = 0;
let uid = 0;

async function api(method, path, body) {
  const init = { method, credentials: 'same-origin', headers: { Accept: 'application/json' } };
  if (body !== undefined) {
    init.headers['Content-Type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  let res, text;
  try {
    res = await fetch(path, init);
    text = await res.text();
  } catch (_) {
    throw new ApiError(0, { error: NET, code: 'network' });
  }
  let data = null;
  if (text) try { data = JSON.parse(text); } catch (_) { /* not JSON */ }
  if (!res.ok) {
    const err = new ApiError(res.status, data);
    if (res.status === 401 && signedInPage) {
      err.handled = true;
      navigate('/login', true);
    }
    throw err;
  }
  return { data, headers: res.headers };
}

// h('tag', {attr: value, onclick: fn}, ...children): children are nodes or plain text.
function h(tag, props, ...kids) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(props || {})) {
    if (v == null || v === false) continue;
    if (k.startsWith('on')) el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? '' : v);
  }
  for (const c of kids.flat()) if (c != null && c !== false) el.append(c instanceof Node ? c : String(c));
  return el;
}

const say = (el, text) => { el.textContent = text || ''; };
const button = (kids, cls, onclick, type = 'button') => h('button', { type, class: `btn ${cls || ''}`, onclick }, kids);
const alertP = () => h('p', { class: 'form-alert', role: 'alert' });
const statusP = (cls = 'ok') => h('p', { role: 'status', class: cls });
const vh = (t) => h('span', { class: 'vh' }, ` ${t}`);
const link = (href, text) => h('a', { href }, text);
const input = (type, name, more) => h('input', { type, name, autocomplete: 'off', ...more });
const fmtDate = (s) => {
  const d = new Date(s);
  return s && !isNaN(d) ? d.toLocaleDateString(undefined, { year: 'numeric', month: 'short', day: 'numeric' }) : '';
};
const dateNode = (s) => h('time', { datetime: s }, fmtDate(s));

function fail(err, where) {
  if (!err || err.handled) return;
  if (!(err instanceof ApiError)) console.error(err);
  say(where || $alert, err.message || 'Something went wrong.');
}

// Runs fn with the button disabled (no double submits).
async function busy(b, fn) {
  if (b.disabled) return;
  b.disabled = true;
  try { await fn(); } finally { b.disabled = false; }
}

// A labelled control with a slot for its error from the API's details.
function field(label, control, hint) {
  const id = `f${++uid}`;
  control.id = id;
  const err = h('p', { class: 'field-err', id: `${id}-err`, hidden: true });
  const hintEl = hint ? h('p', { class: 'hint', id: `${id}-hint` }, hint) : null;
  if (hint) control.setAttribute('aria-describedby', hintEl.id);
  control.errEl = err;
  control.hintId = hintEl && hintEl.id;
  return h('div', { class: 'field' }, h('label', { for: id }, label), control, hintEl, err);
}

function setErr(control, msg) {
  const err = control.errEl;
  say(err, msg);
  err.hidden = !msg;
  const ids = [control.hintId, msg && err.id].filter(Boolean).join(' ');
  if (ids) control.setAttribute('aria-describedby', ids); else control.removeAttribute('aria-describedby');
  if (msg) control.setAttribute('aria-invalid', 'true'); else control.removeAttribute('aria-invalid');
}

// A form of labelled fields ([key, label, control, hint?]); errors thrown by onSubmit are shown in place.
function form(rows, submitText, onSubmit, cls, ...extra) {
  const inputs = {};
  const alertEl = alertP();
  const submit = button(submitText, 'primary', null, 'submit');
  const el = h('form', { class: cls, novalidate: true },
    rows.map(([key, label, control, hint]) => field(label, inputs[key] = control, hint)),
    alertEl, h('div', { class: 'actions' }, submit, extra));
  el.addEventListener('submit', (e) => {
    e.preventDefault();
    busy(submit, async () => {
      for (const c of Object.values(inputs)) setErr(c, '');
      say(alertEl, '');
      say($alert, '');
      try {
        await onSubmit(inputs, alertEl);
      } catch (err) {
        showErrs(err, inputs, alertEl);
      }
    });
  });
  return { el, inputs, alertEl };
}

// Validation details go next to their fields (path[0]); anything else is shown as text.
function showErrs(err, inputs, alertEl) {
  if (err.handled) return;
  if (err.code !== 'validation_error' || !Array.isArray(err.body.details)) return fail(err, alertEl);
  const per = {};
  const rest = [];
  for (const d of err.body.details) {
    const key = d && Array.isArray(d.path) ? d.path[0] : undefined;
    const msg = d && typeof d.message === 'string' ? d.message : 'Invalid value';
    if (key != null && Object.prototype.hasOwnProperty.call(inputs, key)) (per[key] = per[key] || []).push(msg);
    else rest.push(key != null ? `${key}: ${msg}` : msg);
  }
  let first = null;
  for (const [k, c] of Object.entries(inputs)) {
    if (!per[k]) continue;
    setErr(c, per[k].join(' '));
    first = first || c;
  }
  say(alertEl, rest.length ? rest.join(' ') : 'Please correct the highlighted fields.');
  if (first) first.focus();
}

// ------------------------------------------------------------------ routing

const ROUTES = new Map([
  ['/', { fn: pageRoot }],
  ['/login', { fn: pageLogin }],
  ['/signup', { fn: pageSignup }],
  ['/verify-email', { fn: pageVerify }],
  ['/clients', { fn: pageClients, auth: true }],
  ['/keys', { fn: pageKeys, auth: true }],
]);

function navigate(to, replace) {
  history[replace ? 'replaceState' : 'pushState'](null, '', to);
  render();
}

async function render() {
  const my = ++gen;
  const route = ROUTES.get(location.pathname.replace(/\/+$/, '') || '/') || { fn: pageNotFound };
  signedInPage = !!route.auth;
  if ($dialog.open) $dialog.close();
  say($alert, '');
  if (!route.auth) $bar.hidden = true;
  try {
    await route.fn(my);
  } catch (e) {
    if (my === gen) fail(e);
  }
}

function mount(title, ...nodes) {
  document.title = `${title} · Clientele`;
  $main.replaceChildren(...nodes.filter(Boolean));
  const h1 = $main.querySelector('h1');
  if (h1) {
    h1.tabIndex = -1;
    h1.focus();
  }
}

document.addEventListener('click', (e) => {
  const a = e.target.closest && e.target.closest('a[href]');
  if (!a || a.target || e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || !ROUTES.has(url.pathname)) return;
  e.preventDefault();
  navigate(url.pathname + url.search);
});
window.addEventListener('popstate', render);

document.getElementById('logout').addEventListener('click', (e) => busy(e.currentTarget, async () => {
  try {
    await api('POST', '/api/auth/logout', {});
    navigate('/login');
  } catch (err) {
    fail(err);
  }
}));

// The signed-in user, or null (a 401 is already on its way to /login).
async function loadUser(my) {
  const { data } = await api('GET', '/api/auth/session');
  if (my !== gen) return null;
  const user = data && data.user;
  if (!user) {
    navigate('/login', true);
    return null;
  }
  say(document.getElementById('who'), user.email);
  $bar.hidden = false;
  for (const a of $bar.querySelectorAll('[data-nav]')) {
    if (a.getAttribute('href') === location.pathname) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  return user;
}

// A modal confirmation; resolves true when confirmed. Escape (or Cancel) resolves false.
function confirmBox(title, text, okText) {
  return new Promise((resolve) => {
    const back = document.activeElement;
    $dialog.replaceChildren(h('h2', { id: 'dlg-title' }, title), h('p', { id: 'dlg-desc' }, text),
      h('div', { class: 'actions end' }, button('Cancel', '', () => $dialog.close('cancel')),
        button(okText, 'danger solid', () => $dialog.close('ok'))));
    $dialog.returnValue = '';
    $dialog.addEventListener('close', () => {
      const ok = $dialog.returnValue === 'ok';
      if (!ok && back && back.isConnected) back.focus();
      resolve(ok);
    }, { once: true });
    $dialog.showModal();
  });
}

// ------------------------------------------------------------------ signed-out pages

async function pageRoot(my) {
  try {
    await api('GET', '/api/auth/session');
    if (my === gen) navigate('/clients', true);
  } catch (e) {
    if (my !== gen) return;
    if (e.status === 401) return navigate('/login', true);
    mount('Clientele', h('h1', null, 'Clientele'), h('p', null, link('/login', 'Log in')));
    fail(e);
  }
}

const authCard = (title, ...kids) => h('section', { class: 'card narrow' }, h('h1', null, title), ...kids);

function pageLogin() {
  const f = form([
    ['email', 'Email', input('email', 'email', { autocomplete: 'username' })],
    ['password', 'Password', input('password', 'password', { autocomplete: 'current-password' })],
  ], 'Log in', async ({ email, password }) => {
    await api('POST', '/api/auth/login', { email: email.value.trim(), password: password.value });
    navigate('/clients');
  });
  mount('Log in', authCard('Log in', f.el, h('p', { class: 'muted' }, 'No account yet? ', link('/signup', 'Sign up'))));
}

function pageSignup() {
  const f = form([
    ['name', 'Name', input('text', 'name', { autocomplete: 'name' })],
    ['email', 'Email', input('email', 'email', { autocomplete: 'email' })],
    ['password', 'Password', input('password', 'password', { autocomplete: 'new-password' }), 'At least 8 characters.'],
  ], 'Sign up', async ({ name, email, password }) => {
    const body = { email: email.value.trim(), password: password.value };
    if (name.value.trim()) body.name = name.value.trim();
    await api('POST', '/api/auth/signup', body);
    navigate('/clients');
  });
  mount('Sign up', authCard('Create your account', f.el,
    h('p', { class: 'muted' }, 'Already have an account? ', link('/login', 'Log in'))));
}

function pageVerify() {
  // The token stays in memory: it is posted as JSON and never written into the page.
  const token = new URLSearchParams(location.search).get('token') || '';
  const status = h('p', { role: 'status' }, token ? 'Confirm that this email address is yours.'
    : 'This link has no token. Open the link from the email again.');
  const next = h('p', { hidden: true }, link('/clients', 'Go to your clients'));
  const b = button('Verify', 'primary', async () => {
    b.disabled = true;
    say(status, 'Verifying…');
    try {
      await api('POST', '/api/auth/verify-email', { token });
      say(status, 'Your email address is verified.');
      b.parentNode.hidden = true;
      next.hidden = false;
    } catch (e) {
      fail(e, status);
      b.disabled = e.status > 0 && e.status < 500;
      if (e.code === 'invalid_token') next.hidden = false;
    }
  });
  b.disabled = !token;
  mount('Verify your email', authCard('Verify your email', status, h('div', { class: 'actions' }, b), next));
}

function pageNotFound() {
  mount('Not found', authCard('Page not found', h('p', null, link('/', 'Go to the start page'))));
}

// ------------------------------------------------------------------ clients

const CLIENT_KEYS = ['name', 'domain', 'contactName', 'contactEmail'];

function clientRows(values) {
  const row = (key, label, type, more) => {
    const c = input(type, key, more);
    if (values) c.value = values[key] || '';
    return [key, label, c];
  };
  return [
    row('name', 'Name', 'text', { maxlength: '200' }),
    row('domain', 'Domain', 'text', { inputmode: 'url', placeholder: 'acme.com', spellcheck: 'false' }),
    row('contactName', 'Contact name', 'text'),
    row('contactEmail', 'Contact email', 'email', { spellcheck: 'false' }),
  ];
}

function domainNode(d) {
  let u = null;
  try { u = new URL(d); } catch (_) { /* shown as text */ }
  if (!u || (u.protocol !== 'http:' && u.protocol !== 'https:')) return d;
  return h('a', { href: u.href, target: '_blank', rel: 'noopener noreferrer' },
    d.replace(/^https?:\/\//i, '').replace(/\/$/, ''), vh('(opens in a new tab)'));
}

async function pageClients(my) {
  const user = await loadUser(my);
  if (!user) return;

  const resendOut = statusP('small');
  const resend = button('Resend', 'small', () => busy(resend, async () => {
    say(resendOut, 'Sending…');
    try {
      const { data } = await api('POST', '/api/auth/resend-verification', {});
      say(resendOut, (data && data.message) || 'Verification email sent.');
    } catch (e) {
      fail(e, resendOut);
    }
  }));
  const banner = !user.emailVerified && h('section', { class: 'banner', 'aria-label': 'Email verification' },
    h('p', null, `Please verify your email address (${user.email}) to add clients. Check your inbox for the verification link.`),
    h('div', { class: 'banner-row' }, resend, resendOut));

  const usage = h('p', { class: 'usage-line' });
  const limitMsg = h('p', { class: 'notice', hidden: true, tabindex: '-1' });
  const addStatus = statusP();
  const add = form(clientRows(), 'Add client', async (inputs) => {
    say(addStatus, '');
    const body = {};
    for (const k of CLIENT_KEYS) {
      const v = inputs[k].value.trim();
      if (v || k === 'name') body[k] = v;
    }
    try {
      const { data } = await api('POST', '/api/clients', body);
      add.el.reset();
      say(listStatus, '');
      say(addStatus, `Added ${(data && data.name) || body.name}.`);
      await Promise.all([loadUsage(), loadClients(true)]);
    } catch (e) {
      if (e.code === 'plan_limit_reached') loadUsage();
      throw e;
    }
  }, 'grid');

  async function loadUsage() {
    try {
      const { data } = await api('GET', '/api/usage');
      const d = data || {};
      const c = d.clients || {};
      const plan = d.planName || d.plan || '';
      say(usage, c.limit == null
        ? `${c.used} client${c.used === 1 ? '' : 's'} on the ${plan} plan (unlimited)`
        : `${c.used} of ${c.limit} clients on the ${plan} plan`);
      if (c.isNearLimit && !c.isAtLimit && c.remaining != null) usage.append(` · ${c.remaining} left`);
      const at = !!c.isAtLimit;
      const hadFocus = add.el.contains(document.activeElement);
      add.el.hidden = at;
      limitMsg.hidden = !at;
      say(limitMsg, at ? `You have reached your plan limit of ${c.limit} clients. Upgrade your plan to add more.` : '');
      if (at && hadFocus) limitMsg.focus();
    } catch (e) {
      fail(e);
    }
  }

  // The list: search (debounced, or Enter), pages by X-Next-Cursor or else by offset.
  const list = { q: '', items: [], ids: new Set(), total: null, cursor: null, lastLen: 0, seq: 0 };
  const search = input('search', 'q');
  const searchForm = h('form', { role: 'search', class: 'search' }, field('Search', search, 'Search by client name.'));
  const count = h('p', { class: 'muted', role: 'status' });
  const listStatus = statusP();
  const ul = h('ul', { class: 'list' });
  const more = button('Load more', '', () => loadClients(false, true));
  more.hidden = true;
  const listH = h('h2', { id: 'list-h', tabindex: '-1' }, 'All clients');
  let timer = 0;
  const runSearch = () => {
    clearTimeout(timer);
    list.q = search.value.trim();
    loadClients(true);
  };
  search.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(runSearch, 250);
  });
  searchForm.addEventListener('submit', (e) => {
    e.preventDefault();
    runSearch();
  });

  async function loadClients(reset, focusNew) {
    const seq = ++list.seq;
    const p = new URLSearchParams();
    if (list.q) p.set('q', list.q);
    p.set('limit', String(PAGE));
    if (!reset) {
      if (list.cursor) p.set('cursor', list.cursor);
      else p.set('offset', String(list.items.length));
    }
    more.disabled = true;
    try {
      const { data, headers } = await api('GET', `/api/clients?${p}`);
      if (seq !== list.seq) return;
      const page = Array.isArray(data) ? data : [];
      if (reset) {
        list.items = [];
        list.ids.clear();
        ul.replaceChildren();
      }
      let firstNew = null;
      for (const c of page) {
        if (!c || list.ids.has(c.id)) continue;
        list.ids.add(c.id);
        list.items.push(c);
        const li = h('li', { class: 'item' });
        fillRow(li, c);
        ul.append(li);
        firstNew = firstNew || li;
      }
      const t = headers.get('X-Total-Count');
      list.total = t && !isNaN(t) ? Number(t) : null;
      list.cursor = headers.get('X-Next-Cursor') || null;
      list.lastLen = page.length;
      const n = list.items.length;
      if (!n) say(count, list.q ? `No clients match “${list.q}”.` : 'No clients yet. Add your first client above.');
      else say(count, `Showing ${n} of ${Math.max(list.total || 0, n)}`);
      more.hidden = !(list.cursor || (list.total != null ? n < list.total : list.lastLen >= PAGE));
      if (focusNew && firstNew) firstNew.querySelector('h3').focus();
    } catch (e) {
      if (seq === list.seq) fail(e);
    } finally {
      if (seq === list.seq) more.disabled = false;
    }
  }

  function fillRow(li, c) {
    const contact = [c.contactName, c.contactEmail].filter(Boolean).join(' · ');
    li.replaceChildren(
      h('div', { class: 'item-main' },
        h('h3', { class: 'item-title', tabindex: '-1' }, c.name),
        c.domain && h('p', { class: 'meta' }, domainNode(c.domain)),
        contact && h('p', { class: 'meta' }, `Contact: ${contact}`),
        h('p', { class: 'meta' }, 'Added ', dateNode(c.createdAt))),
      h('div', { class: 'item-actions' },
        button(['Edit', vh(c.name)], 'small', () => editRow(li, c)),
        button(['Delete', vh(c.name)], 'small danger', (e) => removeClient(c, e.currentTarget))));
  }

  function editRow(li, c) {
    const close = () => {
      fillRow(li, c);
      li.querySelector('.item-actions button').focus();
    };
    const f = form(clientRows(c), 'Save', async (inputs) => {
      const body = {};
      for (const k of CLIENT_KEYS) {
        const v = inputs[k].value.trim();
        // Name and domain are required: an emptied one is sent as is, for the API to say why.
        if (v !== (c[k] || '')) body[k] = v === '' && k !== 'name' && k !== 'domain' ? null : v;
      }
      if (!Object.keys(body).length) return close();
      const { data } = await api('PUT', `/api/clients/${encodeURIComponent(c.id)}`, body);
      Object.assign(c, data || body);
      say(listStatus, `Saved ${c.name}.`);
      close();
    }, 'grid edit', button('Cancel', '', close));
    f.el.setAttribute('aria-label', `Edit ${c.name}`);
    f.el.prepend(h('h3', { class: 'item-title' }, `Edit ${c.name}`));
    f.el.addEventListener('keydown', (e) => { if (e.key === 'Escape') close(); });
    li.replaceChildren(f.el);
    f.inputs.name.focus();
  }

  async function removeClient(c, b) {
    if (!await confirmBox(`Delete ${c.name}?`, 'The client is removed from your organization. This cannot be undone.', 'Delete')) return;
    b.disabled = true;
    try {
      await api('DELETE', `/api/clients/${encodeURIComponent(c.id)}`);
      say(addStatus, '');
      say(listStatus, `Deleted ${c.name}.`);
      listH.focus();
      await Promise.all([loadUsage(), loadClients(true)]);
    } catch (e) {
      b.disabled = false;
      fail(e);
    }
  }

  mount('Clients', h('h1', null, 'Clients'), banner, usage,
    h('section', { class: 'card', 'aria-labelledby': 'add-h' }, h('h2', { id: 'add-h' }, 'Add a client'), limitMsg, add.el, addStatus),
    h('section', { class: 'card', 'aria-labelledby': 'list-h' }, listH, searchForm, count, listStatus, ul,
      h('div', { class: 'actions' }, more)));
  await Promise.all([loadUsage(), loadClients(true)]);
}

// ------------------------------------------------------------------ API keys

async function pageKeys(my) {
  const user = await loadUser(my);
  if (!user) return;

  const shown = h('section', { class: 'card secret-card', hidden: true, 'aria-labelledby': 'new-h' });
  const listStatus = statusP();
  const ul = h('ul', { class: 'list' });
  const empty = h('p', { class: 'muted', hidden: true }, 'No API keys yet.');
  const listH = h('h2', { id: 'keys-h', tabindex: '-1' }, 'Your keys');
  const env = h('select', { name: 'environment' }, ['production', 'sandbox'].map((v) => h('option', { value: v }, v)));
  const f = form([['name', 'Key name', input('text', 'name', { maxlength: '100' })], ['environment', 'Environment', env]],
    'Create key', async ({ name }) => {
      const body = { environment: env.value };
      if (name.value.trim()) body.name = name.value.trim();
      let data;
      try {
        ({ data } = await api('POST', '/api/keys', body));
      } catch (e) {
        if (e.code === 'verification_required') e.message = 'Please verify your email before creating API keys.';
        throw e;
      }
      f.el.reset();
      showKey(data || {});
      await loadKeys();
    }, 'grid');

  // The new key lives only in this field, until "Done" or leaving the page.
  function showKey(k) {
    const out = input('text', 'key', { readonly: true, class: 'mono', spellcheck: 'false' });
    out.value = k.key || '';
    out.addEventListener('focus', () => out.select());
    const copied = statusP('small ok');
    const copy = button('Copy', 'primary small', async () => {
      try {
        await navigator.clipboard.writeText(out.value);
        say(copied, 'Copied to the clipboard.');
      } catch (_) {
        out.focus();
        out.select();
        say(copied, 'Selected: press Ctrl+C (or ⌘C) to copy.');
      }
    });
    const done = button('Done', 'small', () => {
      shown.replaceChildren();
      shown.hidden = true;
      f.inputs.name.focus();
    });
    shown.replaceChildren(h('h2', { id: 'new-h', tabindex: '-1' }, `New key: ${k.name || k.prefix || ''}`),
      h('p', { class: 'notice' }, 'Copy this key now. It will not be shown again.'),
      h('div', { class: 'secret' }, field('API key', out), h('div', { class: 'actions' }, copy, done)), copied);
    shown.hidden = false;
    shown.querySelector('h2').focus();
  }

  async function loadKeys() {
    try {
      const { data } = await api('GET', '/api/keys');
      const keys = Array.isArray(data) ? data : [];
      ul.replaceChildren(...keys.map(keyRow));
      empty.hidden = keys.length > 0;
    } catch (e) {
      fail(e);
    }
  }

  function keyRow(k) {
    const label = k.name || k.prefix || 'key';
    const prefix = !k.prefix || k.prefix.endsWith('…') ? k.prefix : `${k.prefix}…`;
    return h('li', { class: 'item' },
      h('div', { class: 'item-main' },
        h('h3', { class: 'item-title' }, k.name || 'Unnamed key', ' ',
          h('span', { class: `badge${k.revokedAt ? ' off' : ''}` }, k.revokedAt ? `revoked ${fmtDate(k.revokedAt)}` : 'active')),
        h('p', { class: 'meta' }, `${k.environment || ''} · `, h('code', null, prefix)),
        h('p', { class: 'meta' }, 'Created ', dateNode(k.createdAt), ' · Last used ', k.lastUsedAt ? dateNode(k.lastUsedAt) : 'never')),
      !k.revokedAt && h('div', { class: 'item-actions' },
        button(['Revoke', vh(label)], 'small danger', (e) => revoke(k, label, e.currentTarget))));
  }

  async function revoke(k, label, b) {
    if (!await confirmBox(`Revoke ${label}?`, 'Requests made with this key are refused from now on. This cannot be undone.', 'Revoke')) return;
    b.disabled = true;
    try {
      await api('DELETE', `/api/keys/${encodeURIComponent(k.id)}`);
      say(listStatus, `Revoked ${label}.`);
      listH.focus();
      await loadKeys();
    } catch (e) {
      b.disabled = false;
      fail(e);
    }
  }

  mount('API keys', h('h1', null, 'API keys'),
    h('p', { class: 'muted' }, 'Management API keys let your servers call the ', h('code', null, '/v1'), ' API with the ',
      h('code', null, 'X-API-Key'), ' header. See the ', h('a', { href: '/docs' }, 'API reference'), '.'),
    h('section', { class: 'card', 'aria-labelledby': 'create-h' }, h('h2', { id: 'create-h' }, 'Create a key'), f.el),
    shown,
    h('section', { class: 'card', 'aria-labelledby': 'keys-h' }, listH, listStatus, empty, ul));
  await loadKeys();
}

render();
