import { ArgsType, Field, Float, ID, ObjectType, registerEnumType } from '@nestjs/graphql';
import { IsIn, IsOptional, IsString, MaxLength } from 'class-validator';
import { PageArgs, Paginated } from '../graphql/pagination.js';
import { JOB_STATES, type Job, type JobState } from './jobs.js';

export const JobStateEnum = Object.fromEntries(JOB_STATES.map((s) => [s, s])) as { [S in JobState]: S };
registerEnumType(JobStateEnum, {
  name: 'JobState',
  description: 'QUEUED → RUNNING → SUCCEEDED | FAILED | CANCELLED (a queued job may be cancelled or fail too).',
});

@ObjectType('JobError', { description: 'Why a job failed.' })
export class JobErrorModel {
  @Field({
    description:
      'BAD_USER_INPUT, NOT_FOUND, CONFLICT… as operations answer; INTERRUPTED when the process running it stopped; INTERNAL_SERVER_ERROR otherwise.',
  })
  code: string;
  @Field() message: string;
}

@ObjectType('Job', { description: 'A long job (an import, a baseline computation…): src/shared/jobs.' })
export class JobModel {
  @Field(() => ID) id: string;
  @Field({ description: 'What it does, e.g. leaks.importSensorReadings.' }) kind: string;
  @Field(() => JobStateEnum) state: JobState;
  @Field(() => Float, { description: '0 to 100.' }) percent: number;
  @Field({ description: 'What it is doing now, in a few words.' }) message: string;
  @Field(() => String, {
    nullable: true,
    description: "The result as JSON text once SUCCEEDED (its shape is the kind's: see the operation that starts it).",
  })
  result: string | null;
  @Field(() => JobErrorModel, { nullable: true }) error: JobErrorModel | null;
  @Field(() => ID, { description: 'The user who started it.' }) createdBy: string;
  @Field() createdAt: Date;
  @Field(() => Date, { nullable: true }) startedAt: Date | null;
  @Field(() => Date, { nullable: true }) finishedAt: Date | null;
}

export const JobPage = Paginated(JobModel, 'JobPage');

@ArgsType()
export class JobsArgs extends PageArgs {
  @Field(() => String, { nullable: true, description: 'Only jobs of this kind.' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  kind?: string | null;

  @Field(() => JobStateEnum, { nullable: true, description: 'Only jobs in this state.' })
  @IsOptional()
  @IsIn(JOB_STATES)
  state?: JobState | null;
}

/** The JSON text of the result; Dates and typed arrays as JSON has them. */
export function toJobModel(job: Job): JobModel {
  return { ...job, result: job.result === null || job.result === undefined ? null : JSON.stringify(job.result) };
}
