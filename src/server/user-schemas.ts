import { Type } from 'typebox';
import { Role } from './schemas.js';

// The HTTP contract of users and sign-in. No schema here has a password hash: serialization
// drops any field not listed, so a hash could not leak even if a handler returned one.

const Timestamp = Type.String({ format: 'date-time' });
const Email = Type.String({ minLength: 3, maxLength: 320, pattern: '@', description: 'Stored trimmed and lower case; unique' });
const Name = Type.String({ minLength: 1, maxLength: 200, pattern: '\\S' });
// The length rule (at least 12 characters) is checked in the store, to count characters rather than UTF-16 units.
const Password = Type.String({ minLength: 1, maxLength: 1024, description: 'At least 12 characters; never returned' });

export const User = Type.Object({
  email: Type.String(),
  name: Type.String(),
  role: Role,
  disabled: Type.Boolean(),
  disabledAt: Type.Union([Timestamp, Type.Null()]),
  createdAt: Timestamp,
  updatedAt: Timestamp,
});

export const UserCreate = Type.Object({ email: Email, name: Name, role: Role, password: Password }, { additionalProperties: false });

export const UserPatch = Type.Object(
  {
    name: Type.Optional(Name),
    role: Type.Optional(Role),
    disabled: Type.Optional(Type.Boolean({ description: 'true ends every session of the user at once' })),
  },
  { additionalProperties: false },
);

export const PasswordSet = Type.Object({ password: Password }, { additionalProperties: false });

export const PasswordChange = Type.Object(
  { currentPassword: Type.String({ maxLength: 1024 }), newPassword: Password },
  { additionalProperties: false },
);

export const UserParams = Type.Object({ email: Type.String({ minLength: 1 }) });

export const SignIn = Type.Object(
  { email: Type.String({ maxLength: 320 }), password: Type.String({ maxLength: 1024 }) },
  { additionalProperties: false },
);

export const SessionView = Type.Object({
  user: Type.Object({ email: Type.String(), name: Type.String(), role: Role }),
  csrfToken: Type.String({ description: 'Send it as X-CSRF-Token on every signed-in request other than GET/HEAD/OPTIONS' }),
  expiresAt: Type.String({
    format: 'date-time',
    description: 'The latest the session can last; it ends sooner after 12 h without a request',
  }),
});
