import { useEffect, useRef, type ReactNode } from 'react';

/** A confirmation that names exactly what will happen to which node. */
export function Confirm({
  title,
  body,
  verb,
  onConfirm,
  onCancel,
  children,
}: {
  title: string;
  body: string;
  verb: string;
  onConfirm: () => void;
  onCancel: () => void;
  /** Options of the action, between the sentence and the buttons. */
  children?: ReactNode;
}) {
  const cancel = useRef<HTMLButtonElement>(null);
  const dialog = useRef<HTMLDivElement>(null);
  useEffect(() => cancel.current?.focus(), []);
  // Tab and Shift+Tab go round the dialog's own controls, never to the page behind it
  const trap = (e: React.KeyboardEvent) => {
    if (e.key === 'Escape') return onCancel();
    if (e.key !== 'Tab' || !dialog.current) return;
    const focusable = [
      ...dialog.current.querySelectorAll<HTMLElement>('button, input, select, textarea, a[href]'),
    ].filter((el) => !el.hasAttribute('disabled'));
    const first = focusable[0];
    const last = focusable[focusable.length - 1];
    if (!first || !last) return;
    const inside = dialog.current.contains(document.activeElement);
    if (e.shiftKey && (document.activeElement === first || !inside)) {
      e.preventDefault();
      last.focus();
    } else if (!e.shiftKey && (document.activeElement === last || !inside)) {
      e.preventDefault();
      first.focus();
    }
  };
  return (
    <div className="modal-back" onClick={onCancel}>
      <div
        ref={dialog}
        className="modal"
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="confirm-title"
        onClick={(e) => e.stopPropagation()}
        onKeyDown={trap}
      >
        <h3 id="confirm-title">{title}</h3>
        <p>{body}</p>
        {children}
        <div className="buttons">
          <button ref={cancel} onClick={onCancel}>
            Cancel
          </button>
          <button className="danger" onClick={onConfirm}>
            {verb}
          </button>
        </div>
      </div>
    </div>
  );
}
