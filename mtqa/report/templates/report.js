document.addEventListener('DOMContentLoaded',function(){
 var b=document.body,f=document.getElementById('flagged'),s=document.getElementById('sev'),
  o=document.getElementById('sort'),m=document.getElementById('docs'),st=document.getElementById('status');
 function q(x){return m.querySelectorAll(x).length}
 function order(){
  var d=Array.prototype.slice.call(m.children),w=o.value==='worst';
  d.sort(function(a,c){return w?(c.dataset.worst-a.dataset.worst)||(a.dataset.i-c.dataset.i)
   :a.dataset.i-c.dataset.i});
  d.forEach(function(e){m.appendChild(e)});
 }
 function apply(save){
  b.classList.toggle('f-flagged',f.checked);
  b.classList.toggle('s-major',s.value==='major');
  b.classList.toggle('s-minor',s.value==='minor');
  var ns=s.value!=='all'?q('.sent.'+s.value):f.checked?q('.sent.minor')+q('.sent.major'):q('.sent');
  var nd=s.value==='all'?(f.checked?q('.doc:not(.clean)'):q('.doc')):q('.doc.has-'+s.value);
  st.textContent='showing '+ns+' of '+q('.sent')+' sentences in '+nd+' of '+q('.doc')+' documents';
  if(save){history.replaceState(null,'','#flagged='+(f.checked?1:0)+'&sev='+s.value+'&sort='+o.value)}
 }
 var h=new URLSearchParams(location.hash.slice(1));
 f.checked=h.get('flagged')==='1';
 if(['all','major','minor'].indexOf(h.get('sev'))>=0){s.value=h.get('sev')}
 if(h.get('sort')==='worst'){o.value='worst'}
 f.addEventListener('change',function(){apply(true)});
 s.addEventListener('change',function(){apply(true)});
 o.addEventListener('change',function(){order();apply(true)});
 if(o.value!=='input'){order()}
 apply(false);
});
