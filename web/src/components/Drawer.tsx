import { useEffect, useRef, type ReactNode } from 'react';

/**
 * A panel over the right of the page (the whole width of a phone) on a backdrop. It closes on
 * its close button, on Escape and on a click or tap on the backdrop; the back button closes it
 * too, as opening it added a history entry (route.ts).
 */
export function Drawer({
  label,
  testId,
  head,
  onClose,
  children,
}: {
  /** What the drawer shows, for assistive technology. */
  label: string;
  testId: string;
  /** The header, before the close button. */
  head: ReactNode;
  onClose: () => void;
  children: ReactNode;
}) {
  const close = useRef<HTMLButtonElement>(null);
  const latest = useRef(onClose);
  latest.current = onClose;
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      // the confirmation above the drawer takes its own Escape first
      if (e.key === 'Escape' && !document.querySelector('[role="alertdialog"]')) latest.current();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
  useEffect(() => close.current?.focus({ preventScroll: true }), []);
  return (
    <>
      <div className="drawer-back" data-testid="drawer-backdrop" onClick={onClose} />
      <aside className="drawer" role="dialog" aria-label={label} data-testid={testId}>
        <header>
          <div className="drawer-head">{head}</div>
          <button ref={close} onClick={onClose} aria-label="close details" className="close">
            close
          </button>
        </header>
        <div className="body">{children}</div>
      </aside>
    </>
  );
}
