// The encounter XForm on the web through ODK Web Forms (crossings/outreach/webform.py): the same form
// definition the phones get, its attachments over the web session, the serialised instance posted with
// the CSRF token; after a recorded encounter the form starts again blank.
import { createApp, h } from 'vue';
import { OdkWebForm, POST_SUBMIT__NEW_INSTANCE, webFormsPlugin } from '@getodk/web-forms';

const box = document.getElementById('odk-web-form');
const status = document.getElementById('odk-status');

function say(text, kind) {
  status.textContent = text;
  status.className = `msg msg-${kind}`;
  status.hidden = false;
}

async function start() {
  const response = await fetch(box.dataset.form, { credentials: 'same-origin' });
  if (!response.ok) {
    say(box.dataset.unavailable, 'error');
    return;
  }
  const formXml = await response.text();
  // jr://file/sites.csv, jr://file-csv/clients_due.csv → this organisation's file, made for this worker
  const fetchFormAttachment = (url) =>
    fetch(box.dataset.media.replace('FILENAME', String(url.href ?? url).replace(/^jr:\/\/[^/]+\//, '')), {
      credentials: 'same-origin',
    });
  const onSubmit = async (payload, done) => {
    if (payload.status !== 'ready') return; // Web Forms shows what is missing next to each question
    say(box.dataset.sending, 'info');
    let answer;
    try {
      const sent = await fetch(box.dataset.submit, {
        method: 'POST',
        body: payload.data[0], // FormData holding xml_submission_file
        credentials: 'same-origin',
        headers: { 'X-CSRFToken': box.dataset.csrf },
      });
      answer = await sent.json();
    } catch (error) {
      say(box.dataset.offline, 'error'); // nothing recorded: the answers stay on the page, send again
      return;
    }
    if (answer.status === 201 || answer.status === 202) {
      say(answer.message, 'success');
      done(Promise.resolve({ next: POST_SUBMIT__NEW_INSTANCE }));
    } else {
      say(answer.message, 'error');
    }
  };
  const app = createApp({
    render: () => h(OdkWebForm, { formXml, fetchFormAttachment, missingResourceBehavior: 'BLANK', onSubmit }),
  });
  app.use(webFormsPlugin);
  app.mount(box);
  box.removeAttribute('aria-busy');
}

start();
