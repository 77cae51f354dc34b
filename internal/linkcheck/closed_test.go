package linkcheck

import (
	"net/url"
	"testing"
)

func TestLooksClosed(t *testing.T) {
	const uuid = "5f1c2d3e-8b7a-4c3d-9e2f-1a2b3c4d5e6f"
	tests := []struct {
		name     string
		from, to string
		closed   bool
	}{
		// Closed: the posting's identifier is gone and the page is generic.
		{"greenhouse_job_to_board_with_error",
			"https://boards.greenhouse.io/acme/jobs/4012345", "https://boards.greenhouse.io/acme?error=true", true},
		{"greenhouse_job_to_new_board_root",
			"https://job-boards.greenhouse.io/acme/jobs/4012345", "https://job-boards.greenhouse.io/acme", true},
		{"lever_posting_to_company_list",
			"https://jobs.lever.co/acme/" + uuid, "https://jobs.lever.co/acme", true},
		{"lever_apply_page_to_company_list",
			"https://jobs.lever.co/acme/" + uuid + "/apply", "https://jobs.lever.co/acme/", true},
		{"ashby_posting_to_company_list",
			"https://jobs.ashbyhq.com/acme/" + uuid, "https://jobs.ashbyhq.com/acme", true},
		{"workday_posting_to_site",
			"https://acme.wd5.myworkdayjobs.com/en-US/External/job/Berlin-Germany/Software-Engineer_R12345",
			"https://acme.wd5.myworkdayjobs.com/en-US/External", true},
		{"workday_posting_to_search",
			"https://acme.wd1.myworkdayjobs.com/Careers/job/Remote/Data-Analyst_JR-0042",
			"https://acme.wd1.myworkdayjobs.com/Careers/jobs?q=analyst", true},
		{"smartrecruiters_posting_to_company",
			"https://jobs.smartrecruiters.com/Acme/743999912345678-backend-engineer", "https://jobs.smartrecruiters.com/Acme", true},
		{"company_posting_to_home_page",
			"https://www.acme.com/careers/123-engineer", "https://www.acme.com/", true},
		{"company_posting_to_localised_home_page",
			"https://www.acme.com/jobs/123", "https://www.acme.com/de-de/", true},
		{"company_posting_to_careers",
			"https://acme.com/about/jobs/engineer-2024", "https://acme.com/careers", true},
		{"company_posting_to_localised_careers",
			"https://acme.com/en/careers/job/98765", "https://acme.com/en/careers/", true},
		{"posting_to_job_search",
			"https://careers.acme.com/job/98765/platform-engineer", "https://careers.acme.com/job-search?keywords=platform", true},
		{"posting_to_search_query",
			"https://acme.com/jobs/98765", "https://acme.com/jobs/search?q=engineer", true},
		{"posting_to_jobs_list",
			"https://acme.com/jobs/98765", "https://acme.com/jobs", true},
		{"slug_posting_to_careers",
			"https://acme.com/careers/senior-engineer", "https://acme.com/careers/", true},
		{"posting_to_careers_site_elsewhere",
			"https://acme.com/careers/98765", "https://acme.careers-platform.example/openings", true},

		// Open: the same posting, moved.
		{"http_to_https",
			"http://acme.com/jobs/98765", "https://acme.com/jobs/98765", false},
		{"trailing_slash",
			"https://acme.com/jobs/98765", "https://acme.com/jobs/98765/", false},
		{"slug_added",
			"https://acme.com/jobs/98765", "https://acme.com/jobs/98765-senior-engineer", false},
		{"locale_added",
			"https://acme.com/jobs/98765", "https://acme.com/en-gb/jobs/98765", false},
		{"greenhouse_new_host",
			"https://boards.greenhouse.io/acme/jobs/4012345", "https://job-boards.greenhouse.io/acme/jobs/4012345", false},
		{"greenhouse_embed_to_company_careers_page",
			"https://boards.greenhouse.io/embed/job_app?for=acme&token=4012345", "https://www.acme.com/careers?gh_jid=4012345", false},
		{"workday_locale_added",
			"https://acme.wd5.myworkdayjobs.com/External/job/Berlin/Software-Engineer_R12345",
			"https://acme.wd5.myworkdayjobs.com/en-US/External/job/Berlin/Software-Engineer_R12345", false},
		{"lever_uuid_upper_case",
			"https://jobs.lever.co/acme/" + uuid, "https://jobs.lever.co/Acme/5F1C2D3E-8B7A-4C3D-9E2F-1A2B3C4D5E6F", false},
		{"login_wall_keeps_the_posting",
			"https://acme.com/jobs/98765", "https://sso.acme.com/login?next=%2Fjobs%2F98765", false},
		{"slug_posting_renamed_with_slug_kept",
			"https://acme.com/careers/senior-engineer", "https://acme.com/careers/senior-engineer-berlin", false},
		{"query_posting_kept",
			"https://acme.com/?job=98765", "https://acme.com/?job=98765&lang=en", false},

		// Not judged: nothing to lose, or not a generic page.
		{"home_page_link",
			"https://acme.com/", "https://www.acme.com/", false},
		{"other_site_deeper_page",
			"https://acme.com/jobs/98765", "https://news.example.org/acme-hires", false},
		{"prefix_on_another_site",
			"https://acme.com/acme/jobs/98765", "https://other.org/acme", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			from, err := url.Parse(tt.from)
			if err != nil {
				t.Fatal(err)
			}
			to, err := url.Parse(tt.to)
			if err != nil {
				t.Fatal(err)
			}
			if got := looksClosed(from, to); got != tt.closed {
				t.Errorf("looksClosed(%q, %q) = %v, want %v", tt.from, tt.to, got, tt.closed)
			}
		})
	}
}
