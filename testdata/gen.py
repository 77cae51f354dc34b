import json
JOB=[("organization","Organization"),("title","Job title"),("link","Link to the posting"),("location","Location")]
NEWS=[("category","Category"),("title","Title"),("summary","Summary"),("link","Link")]
EVENT=[("name","Event name"),("start_date","Start date"),("end_date","End date"),("city","City"),("country","Country"),("online","Format"),("link","Link"),("cfp_deadline","Call for papers deadline")]
def body(fields, ans):
    parts=[]
    for fid,label in fields:
        v=ans.get(fid,"")
        if fid=="online":
            v="- [X] This event is online only" if v else "- [ ] This event is online only"
        parts.append("### %s\n\n%s"%(label, v if v else "_No response_"))
    return "\n\n".join(parts)
issues=[]; n=[100]
def add(title, b, labels, user="octocat", state="open", extra=None):
    n[0]+=1
    i={"number":n[0],"title":title,"body":b,"labels":[{"name":l} for l in labels],
       "html_url":"https://github.com/todogroup/ospology/issues/%d"%n[0],"user":{"login":user,"type":"User"},"state":state}
    if extra: i.update(extra)
    issues.append(i)
A="newsletter: accepted"
def job(o,t,l,loc,labels=(A,),**kw): add("[Job]: %s at %s"%(t,o), body(JOB,dict(organization=o,title=t,link=l,location=loc)), ["newsletter: job",*labels], **kw)
def news(c,t,s,l,labels=(A,),**kw): add("[News]: "+t, body(NEWS,dict(category=c,title=t,summary=s,link=l)), ["newsletter: news",*labels], **kw)
def event(nm,sd,ed,city,country,l,cfp="",online=False,labels=(A,),**kw): add("[Event]: "+nm, body(EVENT,dict(name=nm,start_date=sd,end_date=ed,city=city,country=country,link=l,cfp_deadline=cfp,online=online)), ["newsletter: event",*labels], **kw)

job("Comcast","Engineer, Open Source","https://www.linkedin.com/jobs/view/engineer-open-source-at-comcast-4181091889/","United States", user="jdoe")
job("Workday","Senior Principal Open Source Architect","https://www.linkedin.com/jobs/view/senior-principal-open-source-architect-at-workday-4184732011/","USA", user="mfischer")
job("Sovereign Tech Agency","Technical Program Manager","https://www.sovereign.tech/jobs/technical-program-manager","Remote", user="kwong")
job("ZEISS Group","Manager Open Source Program Office (m/f/x)","https://zeissgroup.wd3.myworkdayjobs.com/External/job/Mnchen/Manager-Open-Source-Program-Office--m-f-x-_JR_1044498-4","Germny", labels=("newsletter: needs-info",), user="lschmidt")
job("Intelix.AI","Open Source Program Lead","uk.linkedin.com/jobs/view/open-source-program-lead-at-intelix-ai-4330168341","United Kingdom", labels=(), user="asmith")
job("Hitachi Energy","Open-Source Program Manager/Coordinator","https://pl.linkedin.com/jobs/view/open-source-program-manager-coordinator-at-hitachi-energy-4330180207","Poland", labels=(), user="pkowalski")
news("Blog","TODO Group 2025 End-of-Year Review","a recap of community milestones, how TODO programs evolved, and what the Steering Committee recommends for 2026","https://todogroup.org/blog/end-of-year-2025/", user="anajs")
news("New Member","Honda joins TODO Group","Honda shared its OSPO journey at OSSummit Japan, accelerating strategic collaboration with the open source community","https://todogroup.org/blog/todo-member-honda/", user="anajs")
news("Security","Your Guide to the OpenSSF OSPS Baseline for More Secure Open Source Projects","","https://openssf.org/blog/2026/01/07/your-guide-to-the-openssf-osps-baseline-for-more-secure-open-source-projects/", user="crob")
news("Podcast","Open source in the public sector","a conversation with three public-sector OSPOs","https://example.org/podcast/42", labels=(), user="newcomer")
news("Blog","TODO Group end of year review (again)","","https://www.todogroup.org/blog/end-of-year-2025?utm_source=twitter", labels=(), user="latecomer")
news("Article","Building MCP servers the easy way with Apache OpenServerless","","https://opensource.net/building-mcp-servers-with-apache-openserverless/", labels=("newsletter: declined",), user="spammy")
event("FOSDEM 2027","2027-01-30","2027-01-31","Brussels","Belgium","https://fosdem.org/2027/", user="ddavis")
event("State of Open Con 27","February 2, 2027","3 February 2027","London","United Kingdom","https://openuk.uk/state-of-open-con-27/", cfp="2026-10-30", user="amanda")
event("FOSS Backstage 2027","Mar 15, 2027","Mar 16, 2027","Berlin","Germany","https://27.foss-backstage.de/", cfp="January 10, 2027", user="stefan")
event("OSPOlogy Live Online","2027-01-14","","","Online","https://community.linuxfoundation.org/events/ospologylive-online/", online=True, user="anajs")
event("Open Compliance Summit","2026-12-10","2026-12-11","Tokyo","Japan","https://events.linuxfoundation.org/open-compliance-summit/", user="hiro")
event("The Linux Foundation Member Summit","2027-03-02","2027-02-28","Napa, California","USA","https://events.linuxfoundation.org/lf-member-summit/", user="jdoe")
add("[News]: OSPO survey results", "Found this great write-up: https://example.com/ospo-survey-2026 — worth a line in the newsletter.", ["newsletter: news", A], user="maintainer1")
add("Fix typo in the October edition", "Small fix.", [], user="typo-fixer", extra={"pull_request":{"url":"https://api.github.com/repos/todogroup/ospology/pulls/118"}})
add("Meeting notes for the November touchpoint", "Agenda and notes.", ["meetings"], user="anajs")
json.dump(issues, open("/work/main/testdata/sample-issues.json","w"), indent=2, ensure_ascii=False)
open("/work/main/testdata/sample-issues.json","a").write("\n")
