/** The BFF's GraphQL schema: every type and field file registers on the builder when imported here. */
import "./types/scalars.ts";
import "./queries/me.ts";
import "./queries/things.ts";
import "./queries/thing.ts";
import "./queries/history.ts";
import "./queries/actions.ts";
import "./queries/users.ts";
import "./queries/groups.ts";
import "./mutations/login.ts";
import "./mutations/refresh.ts";
import "./mutations/logout.ts";
import "./mutations/add-user.ts";
import "./mutations/set-password.ts";
import "./mutations/create-group.ts";
import "./mutations/add-member.ts";
import "./mutations/add-thing-to-group.ts";
import "./mutations/remove-user.ts";
import "./mutations/delete-group.ts";
import "./mutations/remove-member.ts";
import "./mutations/remove-thing-from-group.ts";
import "./mutations/invoke-action.ts";
import "./mutations/write-property.ts";
import "./subscriptions/thing-events.ts";
import "./subscriptions/thing-descriptions.ts";
import "./subscriptions/action-progress.ts";
import { builder } from "./builder.ts";

export const schema = builder.toSchema({ sortSchema: true });
