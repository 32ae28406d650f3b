/** One side of a campaign's time span. */
export interface CampaignBoundary {
  /** Epoch milliseconds of the moment. */
  instant: number;
  /** As written: the local date-time and its IANA time zone (for messages). */
  at: string;
  timeZone: string;
  /** `notBefore`: the switch starts at the moment; `finishBy`: it is complete by then. */
  rollout: 'notBefore' | 'finishBy';
}

/** A signature campaign as loaded: checked, with its moments resolved to instants. */
export interface Campaign {
  id: string;
  name: string;
  priority: number;
  /** The file it was read from (`desired-state/campaigns/<name>.yaml`). */
  file: string;
  banner: {
    imageUrl: string;
    /** Where `banner.image` is written in `file` (for problems found when the image is downloaded). */
    imageAt?: { line: number; column: number };
    width: number;
    height?: number;
    alt: string;
    /** The link as written. */
    link: string;
    /** The link with the utm_* parameters: what the signature carries. */
    href: string;
  };
  start: CampaignBoundary;
  end: CampaignBoundary;
  target: {
    /** Office names and ids, lower-cased. */
    offices: string[];
    /** Title patterns (`*` = any text), case-insensitive. */
    titles: string[];
    /** Emails, lower-cased. */
    employees: string[];
    group?: string;
    exclude: string[];
  };
}

/** What a campaign needs to know of an employee to target them. */
export interface CampaignSubject {
  /** The lower-cased email. */
  key: string;
  title: string;
  officeName: string | null;
  officeId: string | null;
  /** Entra group ids the employee's user is a member of (transitively), when groups are read. */
  groups?: ReadonlySet<string>;
}

/** A campaign starting or ending. */
export interface CampaignTransition {
  campaign: string;
  kind: 'start' | 'end';
  /** Epoch milliseconds. */
  instant: number;
  rollout: CampaignBoundary['rollout'];
}
