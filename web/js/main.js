// Entry point: reads the link's fragment (`#token=...`, never sent to a server) and opens the view it
// grants: `#token=ADMIN` the album list, `#album=ID&token=T` the album, `&scope=findme` Find me only.
import { Api, ApiError } from './api.js';
import { adminView } from './admin.js';
import { albumView } from './album.js';
import { findMeView } from './findme.js';
import { linkParams } from './links.js';
import { errorBox, h, show } from './ui.js';

const app = document.getElementById('app');
const title = document.getElementById('title');

function setTitle(text) {
  title.textContent = text;
  document.title = text ? `${text} · Imagicon` : 'Imagicon';
}

async function route() {
  const params = linkParams();
  const token = params.get('token');
  const album = params.get('album');
  const scope = params.get('scope');
  const context = { app, api: new Api(token), setTitle, albumId: album, token };
  document.body.dataset.scope = scope || '';
  try {
    if (!token) {
      setTitle('');
      show(app, h('section', { class: 'panel empty' },
        h('h2', {}, 'Open your link'),
        h('p', {}, 'Imagicon albums open from the link you were given (it holds your access key). '
          + 'Ask the album owner for a link, or start the app with imagicon serve to get an owner link.')));
      return;
    }
    if (album && scope === 'findme') await findMeView(context, { only: true });
    else if (album) await albumView(context);
    else await adminView(context);
  } catch (error) {
    setTitle('');
    show(app, errorBox(error instanceof ApiError ? error : new ApiError(0, '', String(error?.message || error))));
    if (!(error instanceof ApiError)) console.warn(error);
  }
  app.focus({ preventScroll: true });
}

window.addEventListener('hashchange', route);
route();
