import type { Finding } from '@airspark/findings';
import type { CheckContext } from './check-context.js';
import { describeStatement, policyDocuments, type Statement } from './policy-documents.js';
import {
  elementFinding,
  isExpression,
  referenceOf,
  resources,
  type SynthesizedStack,
  stringList,
} from './synthesized-stack.js';

/** `*`, or `service:*`: every action, or every action of a service. */
export const isWildcardAction = (action: string): boolean => action === '*' || /^[^:]+:\*$/.test(action);

/** `*`, or an ARN whose resource part is `*` (`arn:aws:s3:::*`): every resource of a kind. */
export const isWildcardResource = (resource: string): boolean =>
  resource === '*' || /^arn:[^:]*:[^:]*:[^:]*:[^:]*:\*$/.test(resource);

/** `infra/iam-wildcard-action`: no Allow statement grants `*`, `service:*` or uses NotAction. */
export function checkIamWildcardAction(stack: SynthesizedStack): Finding[] {
  const findings: Finding[] = [];
  for (const site of policyDocuments(stack)) {
    for (const statement of site.statements) {
      if (statement.effect !== 'Allow') continue;
      const wildcards = statement.actions.filter(isWildcardAction);
      let problem: string | undefined;
      if (statement.notActions)
        problem = `uses NotAction in an Allow, which grants every other action; list the actions needed instead.`;
      else if (wildcards.length > 0)
        problem = `allows Action ${wildcards.map((a) => `"${a}"`).join(', ')}; list the actions needed instead.`;
      if (problem) {
        findings.push(
          elementFinding(
            stack,
            site.element,
            'infra/iam-wildcard-action',
            `${site.attribute} ${describeStatement(statement)} ${problem}`,
          ),
        );
      }
    }
  }
  return findings;
}

function allowlisted(statement: Statement, context: CheckContext) {
  return context.allowlist.wildcardResources.find(
    (entry) => entry.sid === statement.sid && statement.actions.every((a) => entry.actions.includes(a)),
  );
}

/**
 * `infra/iam-wildcard-resource`: an Allow on every resource needs a Condition that narrows it, or an
 * allow-list entry (same Sid, actions within the listed ones) saying why nothing narrower exists.
 */
export function checkIamWildcardResource(stack: SynthesizedStack, context: CheckContext): Finding[] {
  const findings: Finding[] = [];
  for (const site of policyDocuments(stack)) {
    if (site.resourceIsSelf) continue;
    for (const statement of site.statements) {
      if (statement.effect !== 'Allow' || statement.resources === undefined) continue;
      const wildcard = statement.notResources || statement.resources.some(isWildcardResource);
      if (!wildcard || statement.conditions.length > 0) continue;
      const entry = allowlisted(statement, context);
      if (entry) {
        context.used.add(entry);
        continue;
      }
      const what = statement.notResources ? 'NotResource' : 'Resource "*"';
      findings.push(
        elementFinding(
          stack,
          site.element,
          'infra/iam-wildcard-resource',
          `${site.attribute} ${describeStatement(statement)} allows ${statement.actions.join(', ')} on ${what} without a Condition; scope it to ARNs, add a Condition, or (when the API has no resource-level permissions) give it a Sid and an entry with the reason in ${context.allowlist.file}.`,
        ),
      );
    }
  }
  return findings;
}

/** `infra/iam-policy-unreadable`: a policy the checks cannot evaluate is a policy nobody checked. */
export function checkIamPolicyReadable(stack: SynthesizedStack): Finding[] {
  return policyDocuments(stack)
    .filter((site) => site.unreadable !== undefined)
    .map((site) =>
      elementFinding(
        stack,
        site.element,
        'infra/iam-policy-unreadable',
        `${site.attribute} cannot be checked: ${site.unreadable}. Build policies as JSON (JSON.stringify of a PolicyDocument) or as an aws_iam_policy_document.`,
      ),
    );
}

/** Resource types that attach managed policies, and the attribute holding the policy ARN(s). */
const attachmentAttributes: Record<string, string> = {
  aws_iam_role_policy_attachment: 'policy_arn',
  aws_iam_user_policy_attachment: 'policy_arn',
  aws_iam_group_policy_attachment: 'policy_arn',
  aws_iam_policy_attachment: 'policy_arn',
  aws_iam_role_policy_attachments_exclusive: 'policy_arns',
  aws_iam_user_policy_attachments_exclusive: 'policy_arns',
  aws_iam_group_policy_attachments_exclusive: 'policy_arns',
  aws_iam_role: 'managed_policy_arns',
};

/**
 * `infra/iam-managed-policy`: a managed policy attached by ARN (AWS managed, or defined outside the
 * stack) cannot be inspected by the checks above, so each one needs an allow-list entry with a reason.
 * Policies defined in the stack (`${aws_iam_policy.x.arn}`) are checked through their documents.
 */
export function checkIamManagedPolicies(stack: SynthesizedStack, context: CheckContext): Finding[] {
  const findings: Finding[] = [];
  for (const [type, attribute] of Object.entries(attachmentAttributes)) {
    for (const element of resources(stack, type)) {
      for (const arn of stringList(element.body[attribute])) {
        const reference = referenceOf(arn);
        if (reference?.type === 'aws_iam_policy') continue;
        const name = /^arn:[^:]+:iam::(?:aws|[0-9]{12}):policy\/(.+)$/.exec(arn)?.[1];
        if (name === undefined) {
          findings.push(
            elementFinding(
              stack,
              element,
              'infra/iam-managed-policy',
              isExpression(arn)
                ? `${attribute} is the expression ${arn}, which the checks cannot follow; attach an aws_iam_policy of this stack or a literal managed policy ARN.`
                : `${attribute} "${arn}" is not a policy ARN.`,
            ),
          );
          continue;
        }
        const entry = context.allowlist.managedPolicies.find((e) => e.policy === name);
        if (entry) {
          context.used.add(entry);
          continue;
        }
        findings.push(
          elementFinding(
            stack,
            element,
            'infra/iam-managed-policy',
            `attaches managed policy "${name}", which the checks cannot inspect; prefer an inline policy of exactly the actions needed, or add "${name}" with the reason to ${context.allowlist.file}.`,
          ),
        );
      }
    }
  }
  return findings;
}
