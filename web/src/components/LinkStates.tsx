import type { DeploymentState } from '../../../src/server/contract.js';
import { linkNotes } from './link-notes.js';

/**
 * A quiet line in the deployment's header naming the server's links that are not working
 * (`sentinel-2: reconnecting`); nothing while all of them are. The tooltip says since when and why.
 */
export function LinkStates({ deployment }: { deployment: DeploymentState }) {
  const notes = linkNotes(deployment);
  if (notes.length === 0) return null;
  return (
    <span className="muted" data-testid="link-states">
      links:{' '}
      {notes.map((note, i) => (
        <span key={note.key} title={note.detail}>
          {i > 0 ? ', ' : ''}
          {note.text}
        </span>
      ))}
    </span>
  );
}
