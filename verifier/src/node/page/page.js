// The verification page's script. Every value from a credential or the server is put
// on the page as text (textContent), never as HTML. Nothing is fetched but this node's
// own API.
'use strict';

const VERDICTS = {
  VALID: ['ok', '\u2713', 'This credential checks out: genuine, from an accredited issuer, in date, and neither revoked nor suspended.'],
  REVOKED: ['bad', '\u2717', 'The issuer has revoked this credential. Do not accept it.'],
  SUSPENDED: ['bad', '\u2717', 'The issuer has suspended this credential. It is not valid while suspended.'],
  INVALID_SIGNATURE: ['bad', '\u2717', 'The signature does not match: this credential was changed or forged.'],
  UNTRUSTED_ISSUER: ['bad', '\u2717', 'The issuer is not one this verifier trusts, or its key was not valid when it signed.'],
  NOT_ACCREDITED: ['bad', '\u2717', 'The issuer is a member, but not accredited to issue this credential.'],
  EXPIRED: ['bad', '\u2717', 'This credential has expired.'],
  NOT_YET_VALID: ['warn', '!', 'This credential is not valid yet.'],
  STATUS_UNKNOWN: ['warn', '?', 'Whether it was revoked or suspended could not be confirmed. Do not rely on it until it can be.'],
  MALFORMED: ['bad', '\u2717', 'This is not a readable POCUS credential.'],
};
const MARKS = { pass: '\u2713', fail: '\u2717', warn: '!', skip: '\u2013' };
const OUTCOMES = { pass: 'passed', fail: 'failed', warn: 'warning', skip: 'not checked' };
const CHECK_NAMES = {
  format: 'Format', proof: 'Signature', issuer: 'Issuer', accreditation: 'Accreditation',
  validity: 'Dates', status: 'Revocation and suspension',
};
const TYPES = {
  PocusIpCertificate: 'POCUS Independent Practitioner (IP) certificate',
  PocusSkillAttestation: 'POCUS skill attestation (hospital)',
};
const EXPIRY_FLAG_DAYS = 60;

function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === 'class') node.className = v; else node.setAttribute(k, v);
  }
  for (const child of children) {
    if (child === null || child === undefined) continue;
    node.append(typeof child === 'string' ? document.createTextNode(child) : child);
  }
  return node;
}

function ago(seconds) {
  if (typeof seconds !== 'number') return 'age unknown';
  if (seconds === 1) return '1 second ago';
  if (seconds < 90) return `${seconds} seconds ago`;
  if (seconds < 5400) return `${Math.round(seconds / 60)} minutes ago`;
  if (seconds < 172800) return `${Math.round(seconds / 3600)} hours ago`;
  return `${Math.round(seconds / 86400)} days ago`;
}

function day(text) {
  return typeof text === 'string' ? text.slice(0, 10) : '';
}

function claims(summary) {
  const rows = [];
  const add = (name, value) => {
    if (value) rows.push(el('dt', {}, name), el('dd', {}, value));
  };
  add('Holder', summary.holder);
  add('Credential', TYPES[summary.credentialType] || summary.credentialType);
  add('IP number', summary.ipNumber);
  add('Track', summary.track ? summary.track.replace(/_/g, ' ') : '');
  add('Applications', (summary.applications || []).join(', '));
  add('Issuer', summary.issuerName ? `${summary.issuerName} (${summary.issuer || ''})` : summary.issuer);
  add('Valid from', day(summary.validFrom));
  add('Valid until', day(summary.validUntil));
  return el('dl', { class: 'claims' }, ...rows);
}

function expiryFlag(report) {
  const until = report.credential && report.credential.validUntil;
  if (report.verdict !== 'VALID' || !until || !report.checkedAt) return null;
  const days = Math.floor((Date.parse(until) - Date.parse(report.checkedAt)) / 86400000);
  if (!(days <= EXPIRY_FLAG_DAYS)) return null;
  return el('p', { class: 'flag', id: 'expiry-flag' },
    `\u26a0 Expires soon: on ${day(until)}, in ${days} day${days === 1 ? '' : 's'}.`);
}

function freshness(statusData) {
  const lists = (statusData && statusData.lists) || [];
  if (lists.length === 0) {
    return el('p', { id: 'freshness' }, 'This credential names no revocation or suspension list.');
  }
  const items = lists.map((list) => el('li', {}, list.held
    ? `${list.id}: confirmed with its issuer ${ago(list.ageSeconds)}`
    : `${list.id}: not held by this verifier`));
  return el('div', { id: 'freshness' }, el('ul', {}, ...items));
}

function receiptButton(receipt, checkedAt) {
  if (!receipt || typeof receipt !== 'object') return null;
  const button = el('button', { type: 'button', class: 'secondary', id: 'receipt-button' },
    'Download the signed receipt for the HR file');
  button.addEventListener('click', () => {
    const blob = new Blob([JSON.stringify(receipt, null, 2) + '\n'], { type: 'application/json' });
    const link = el('a', { href: URL.createObjectURL(blob), download: `probity-receipt-${day(checkedAt) || 'today'}.json` });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(link.href), 10000);
  });
  return el('p', {}, button, el('br'), el('span', { class: 'hint' },
    'The receipt is signed by this verifier and records what was presented, when, every check and the verdict.'));
}

function show(...content) {
  const result = document.getElementById('result');
  result.replaceChildren(...content);
  result.hidden = false;
  const heading = result.querySelector('h2');
  if (heading) heading.focus();
}

function render(report) {
  const verdict = typeof report.verdict === 'string' ? report.verdict : 'MALFORMED';
  const [cls, icon, meaning] = VERDICTS[verdict] || ['bad', '\u2717', 'Not a verdict this page knows.'];
  const heading = el('h2', { class: `verdict ${cls}`, id: 'verdict', tabindex: '-1', 'data-verdict': verdict },
    el('span', { class: 'icon', 'aria-hidden': 'true' }, icon),
    el('span', {},
      el('span', { class: 'words', id: 'verdict-words' }, verdict.replace(/_/g, ' ')),
      el('span', { class: 'meaning' }, meaning)));
  const parts = [heading, expiryFlag(report)];
  const summary = report.credential;
  if (summary && verdict === 'VALID') {
    parts.push(el('h3', {}, 'What the credential shows (verified)'), claims(summary));
  } else if (summary) {
    parts.push(el('div', { class: 'unverified', id: 'unverified' },
      el('p', { class: 'warning' }, '\u26a0 This credential did not verify. What it claims is shown below only so you can see what was presented; do not rely on it.'),
      claims(summary)));
  }
  const checks = (report.checks || []).map((check) => {
    const status = MARKS[check.status] ? check.status : 'fail';
    return el('li', { class: status },
      el('span', { class: 'mark', 'aria-hidden': 'true' }, MARKS[status]),
      el('span', {},
        el('span', { class: 'name' }, `${CHECK_NAMES[check.id] || check.id} (${OUTCOMES[status]}): `),
        check.message || ''));
  });
  parts.push(el('h3', {}, 'Every check'), el('ul', { class: 'checks', id: 'checks' }, ...checks));
  parts.push(el('h3', {}, 'How fresh the status data is'), freshness(report.statusData));
  if (report.checkedAt) parts.push(el('p', { class: 'hint' }, `Checked at ${report.checkedAt}.`));
  parts.push(receiptButton(report.receipt, report.checkedAt));
  show(...parts.filter(Boolean));
}

function failure(message) {
  show(el('h2', { class: 'verdict bad', id: 'verdict', tabindex: '-1', 'data-verdict': 'ERROR' },
    el('span', { class: 'icon', 'aria-hidden': 'true' }, '!'),
    el('span', {},
      el('span', { class: 'words', id: 'verdict-words' }, 'Could not check'),
      el('span', { class: 'meaning', id: 'error' }, message))));
}

async function verify(body, contentType) {
  for (const button of document.querySelectorAll('button')) button.disabled = true;
  show(el('h2', { tabindex: '-1', id: 'working' }, 'Checking\u2026'));
  try {
    const headers = contentType ? { 'content-type': contentType } : {};
    const answer = await fetch('/api/v1/verify?receipt=true', { method: 'POST', headers, body });
    const data = await answer.json().catch(() => ({}));
    if (!answer.ok) {
      failure(typeof data.error === 'string' ? data.error : `The verifier answered ${answer.status}.`);
    } else {
      render(data);
    }
  } catch (e) {
    failure('The verifier could not be reached. Check the connection and try again.');
  } finally {
    for (const button of document.querySelectorAll('button')) button.disabled = false;
  }
}

function verifyImage(file) {
  if (!file) {
    failure('Choose an image of the QR code first.');
    return;
  }
  const form = new FormData();
  form.append('file', file);
  verify(form, null);
}

function fromFragment() {
  const fragment = location.hash.slice(1).trim();
  if (/^pb1:/i.test(fragment)) verify(fragment, 'text/plain; charset=utf-8');
}

document.addEventListener('DOMContentLoaded', () => {
  document.getElementById('image-form').addEventListener('submit', (event) => {
    event.preventDefault();
    verifyImage(document.getElementById('image').files[0]);
  });
  document.getElementById('text-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const text = document.getElementById('text').value.trim();
    if (!text) {
      failure('Paste a credential or the text of its QR code first.');
    } else if (text.startsWith('{')) {
      verify(text, 'application/json');
    } else {
      verify(text, 'text/plain; charset=utf-8');
    }
  });
  const drop = document.getElementById('drop');
  drop.addEventListener('dragover', (event) => { event.preventDefault(); drop.classList.add('over'); });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (event) => {
    event.preventDefault();
    drop.classList.remove('over');
    verifyImage(event.dataTransfer.files[0]);
  });
  window.addEventListener('hashchange', fromFragment);
  fromFragment();
});
