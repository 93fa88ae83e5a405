import { useNotices, type Notice } from '../lib/notices.ts';

const MARK: Record<Notice['tone'], { glyph: string; word: string }> = {
  ok: { glyph: '✓', word: 'Done' },
  info: { glyph: 'i', word: 'Note' },
  bad: { glyph: '!', word: 'Failed' },
};

/**
 * The toasts. Not a live region: `notify` announces each one once through the announcer, so a toast
 * that re-renders is not read again. The tone is a mark and a hidden word, not its colour alone.
 */
export function Notices() {
  const notices = useNotices((s) => s.notices);
  const dismiss = useNotices((s) => s.dismiss);
  const hold = useNotices((s) => s.hold);
  const release = useNotices((s) => s.release);
  if (notices.length === 0) return null;
  return (
    <section className="notices" aria-label="Notifications">
      {notices.map((notice) => (
        <div
          key={notice.id}
          className={`notice notice-${notice.tone}`}
          onMouseEnter={() => hold(notice.id)}
          onMouseLeave={() => release(notice.id)}
          onFocus={() => hold(notice.id)}
          onBlur={() => release(notice.id)}
        >
          <span className="notice-mark" aria-hidden="true">
            {MARK[notice.tone].glyph}
          </span>
          <span className="notice-text">
            <span className="sr-only">{MARK[notice.tone].word}: </span>
            {notice.text}
            {notice.link ? (
              <>
                {' '}
                <a href={notice.link.href} onClick={() => dismiss(notice.id)}>
                  {notice.link.label}
                </a>
              </>
            ) : null}
          </span>
          <button type="button" className="icon-button" aria-label="Dismiss notification" onClick={() => dismiss(notice.id)}>
            ×
          </button>
        </div>
      ))}
    </section>
  );
}
