import { createContext, useCallback, useContext, useEffect, useMemo, useState } from 'react';
import type { ReactNode } from 'react';
import { api, onSessionLost, setCsrfToken } from './api';
import type { Role, SessionView } from './types';

interface SessionState {
  /** undefined while the first check runs; null when signed out. */
  session: SessionView | null | undefined;
  signIn(email: string, password: string): Promise<void>;
  /** Creates the first admin with the setup code printed at start, and signs them in. */
  setUp(input: FirstAdmin): Promise<void>;
  signOut(): Promise<void>;
  /** True when the signed-in user's role is at least `role`. */
  can(role: Role): boolean;
}

/** The first-run setup form, as POST /auth/setup takes it. */
export interface FirstAdmin {
  code: string;
  name: string;
  email: string;
  password: string;
}

const RANK: Record<Role, number> = { read: 1, write: 2, admin: 3 };
const SessionContext = createContext<SessionState | null>(null);

export function SessionProvider({ children }: { children: ReactNode }) {
  const [session, setSession] = useState<SessionView | null | undefined>(undefined);

  const adopt = useCallback((next: SessionView | null) => {
    setCsrfToken(next?.csrfToken ?? null);
    setSession(next);
  }, []);

  useEffect(() => {
    onSessionLost(() => adopt(null));
    // `optional`: signed out is an answer (204), not a 401 the browser would log as an error on the sign-in page.
    api.get<SessionView | undefined>('/auth/session', { optional: true }).then(
      (current) => adopt(current ?? null),
      () => adopt(null),
    );
  }, [adopt]);

  const value = useMemo<SessionState>(
    () => ({
      session,
      async signIn(email, password) {
        adopt(await api.post<SessionView>('/auth/session', { email, password }));
      },
      async setUp(input) {
        adopt(await api.post<SessionView>('/auth/setup', input));
      },
      async signOut() {
        await api.delete('/auth/session').catch(() => undefined);
        adopt(null);
      },
      can: (role) => (session ? RANK[session.user.role] >= RANK[role] : false),
    }),
    [session, adopt],
  );

  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

export function useSession(): SessionState {
  const state = useContext(SessionContext);
  if (!state) throw new Error('useSession outside SessionProvider');
  return state;
}
