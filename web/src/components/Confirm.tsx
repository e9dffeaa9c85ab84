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
  useEffect(() => cancel.current?.focus(), []);
  return (
    <div className="modal-back" onClick={onCancel}>
      <div
        className="modal"
        role="alertdialog"
        aria-labelledby="confirm-title"
        onClick={(e) => e.stopPropagation()}
        onKeyDown={(e) => e.key === 'Escape' && onCancel()}
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
