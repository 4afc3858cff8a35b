// ODK's own XForms engine as the judge of the forms Crossings serves: load a served form with its
// attachments, answer it the way a worker taps through it (only questions the engine shows, only choices
// it offers), and let the engine serialise the instance. Bundled by `make odk-engine`; loaded by
// tests/browser/test_odk_engine_fills_and_submits_every_served_form.py. Never served by the product.
import { loadForm } from '@getodk/xforms-engine';

function descendants(node, out = []) {
  out.push(node);
  for (const child of node.currentState.children ?? []) descendants(child, out);
  return out;
}

function nameOf(node) {
  return node.definition.nodeset.split('/').pop(); // /data/group/name → name
}

function field(root, name) {
  const node = descendants(root).find((n) => nameOf(n) === name);
  if (!node) throw new Error(`the form has no question named ${name}`);
  return node;
}

function text(range) {
  return range ? range.asString : null;
}

/**
 * @param {{formXml: string, media: Record<string, string>, language: string | null,
 *          answers: [string, string][]}} job
 */
async function fill(job) {
  const fetched = [];
  const fetchFormAttachment = async (url) => {
    // jr://file/sites.csv → the downloadUrl the form's manifest gave for sites.csv
    const name = String(url.href ?? url).replace(/^jr:\/\/[^/]+\//, '');
    fetched.push(name);
    const href = job.media[name];
    if (!href) return new Response('', { status: 404 });
    return fetch(href, { headers: { 'X-OpenRosa-Version': '1.0' } });
  };
  const form = await loadForm(job.formXml, { fetchFormAttachment });
  if (form.status === 'failure') throw new Error(`the engine refused the form: ${form.error}`);
  const { root } = form.createInstance();
  if (job.language) {
    const language = root.languages.find((l) => l.language === job.language);
    if (!language) throw new Error(`no ${job.language} in ${root.languages.map((l) => l.language)}`);
    root.setLanguage(language);
  }
  const shown = [];
  for (const [name, value] of job.answers) {
    const node = field(root, name);
    if (!node.currentState.relevant) throw new Error(`${name} is not shown at this point`);
    const entry = { name, label: text(node.currentState.label), nodeType: node.nodeType };
    if (node.nodeType === 'select') {
      const offered = node.currentState.valueOptions.map((o) => o.value);
      entry.offered = offered.length;
      entry.choiceLabel = text(node.getValueOption(value)?.label);
      if (!offered.includes(value)) throw new Error(`${name}: ${value} is not among the ${offered.length} offered`);
      node.selectValue(value);
    } else {
      node.setValue(value);
    }
    const violation = node.validationState.violation;
    if (violation) throw new Error(`${name} = ${value}: ${violation.condition} ${text(violation.message)}`);
    shown.push(entry);
  }
  const hidden = descendants(root)
    .filter((n) => n.nodeType !== 'root' && n.nodeType !== 'group' && !n.currentState.relevant)
    .map(nameOf);
  // What the phone shows as notes at the end (e.g. why a known client is due a follow-up).
  const notes = descendants(root)
    .filter((n) => n.nodeType === 'note' && n.currentState.relevant)
    .map((n) => ({ name: nameOf(n), text: text(n.currentState.label) }));
  const payload = await root.prepareInstancePayload();
  const violations = (payload.violations ?? []).map((v) => `${v.reference}: ${v.violation.condition}`);
  const file = payload.data[0].get('xml_submission_file');
  return {
    status: payload.status,
    violations,
    xml: await file.text(),
    shown,
    hidden,
    notes,
    fetched,
    languages: root.languages.map((l) => l.language),
    encryptionKey: payload.submissionMeta.encryptionKey,
  };
}

// Post the way a phone does: multipart/form-data with the instance as xml_submission_file; files given as
// base64 (the encrypted variant: the manifest and the .enc files ODK Collect would make).
async function submit(url, parts) {
  const body = new FormData();
  for (const { field: name, filename, type, base64, text: plain } of parts) {
    const bytes = base64 !== undefined ? Uint8Array.from(atob(base64), (c) => c.charCodeAt(0)) : plain;
    body.append(name, new Blob([bytes], { type }), filename);
  }
  const response = await fetch(url, { method: 'POST', body, headers: { 'X-OpenRosa-Version': '1.0' } });
  return { status: response.status, body: await response.text() };
}

window.odkEngine = { fill, submit };
